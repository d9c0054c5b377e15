// Parsing of spreadsheet-style cell values as French and English users type them.
// Pure functions; each returns nullopt (or an error message) instead of guessing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais::domain::importing {

// "1 234,56", "1234.56", "1,234.56", "1 234,56 €", "EUR 12", "-5" → minor units (cents).
// Spaces, NBSP and narrow NBSP group thousands. With both ',' and '.', the last one is the
// decimal mark; a lone ',' or '.' followed by exactly three digits groups thousands
// ("1,234" = 1234), otherwise it is the decimal mark. At most two decimals.
std::optional<std::int64_t> parse_amount_minor(std::string_view text);

// "12,5", "1 234,56", "1.234,5", "1,234.5", "-3" → a number. Unlike amounts, a lone ',' or '.'
// is always the decimal mark (custom numeric fields hold values like "3,5" more often than
// thousands); with both marks the last one is decimal.
std::optional<double> parse_number(std::string_view text);

// "25/11/2026", "25-11-2026", "25.11.2026", "2026-11-25", "2026-11-25T10:00:00Z" →
// "2026-11-25" (a real calendar day), else nullopt.
std::optional<std::string> parse_date(std::string_view text);

// oui/non, yes/no, vrai/faux, true/false, 1/0, x (ticked) → bool.
std::optional<bool> parse_bool(std::string_view text);

// Optional sign and digits, surrounding blanks and thousands spaces allowed.
std::optional<std::int64_t> parse_integer(std::string_view text);

// Splits on any of `separators`, trims each piece, drops empty ones.
std::vector<std::string> split_list(std::string_view text, std::string_view separators);

// Trims ASCII blanks, NBSP and narrow NBSP at both ends.
std::string_view trim_cell(std::string_view text);

}  // namespace relais::domain::importing
