// Parsing and normalising typed scalar values shared by validation and the filter parser:
// calendar dates, ISO 8601 date-times (normalised to UTC), UTF-8 checks, the clock.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace relais::domain {

// True for well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Byte offset of the first control character text may not hold, or nullopt: C0 controls
// (U+0000-U+001F) and DEL are refused, except tab everywhere and line feed and carriage
// return when `multiline` (notes, descriptions, addresses).
std::optional<std::size_t> find_control_character(std::string_view text, bool multiline);

// Trims ASCII whitespace at both ends.
std::string_view trim(std::string_view text);
std::string to_lower_ascii(std::string_view text);

// "YYYY-MM-DD" naming a real calendar day (leap years included).
bool is_valid_date(std::string_view text);

// ISO 8601 date-time with a time zone ("Z", "+02:00", "+0200"); 'T' or a space between date
// and time; seconds and fractions optional. Returns "YYYY-MM-DDTHH:MM:SS.sssZ" in UTC, or
// nullopt. Always with milliseconds: every stored date-time has this one form, so that they
// compare and sort correctly as text (in SQL ORDER BY, filters and the timeline) — with and
// without ".sss" mixed, 14:30:00.500 would sort before 14:30:00.
std::optional<std::string> normalize_datetime(std::string_view text);

// Milliseconds since the epoch -> "YYYY-MM-DDTHH:MM:SS.sssZ".
std::string format_epoch_ms(std::int64_t epoch_ms);
std::int64_t now_epoch_ms();
inline std::string now_iso() { return format_epoch_ms(now_epoch_ms()); }

// The storage stamp form "YYYY-MM-DDTHH:MM:SS.sssZ" (the form of format_epoch_ms).
// is_storage_timestamp is true only for that exact form naming a real instant.
std::string format_storage_timestamp(std::int64_t epoch_ms);
bool is_storage_timestamp(std::string_view text);

}  // namespace relais::domain
