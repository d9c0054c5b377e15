// Fuzzes the part of a CSV import (POST /api/v1/imports/..., `relais import`) that runs before
// any database access, on the raw uploaded bytes:
//   - common::decode_to_utf8: encoding detection (UTF-8, BOM, Windows-1252/Latin-1, refusal of
//     UTF-16 and binary data); the text it returns must be valid UTF-8;
//   - common::read_csv: separator detection, quoting, CRLF, line numbers;
//   - importing::map_columns for contacts, companies and deals (French/English headers, custom
//     field labels, and an override taken from the first data cell when it reads "col=field");
//   - the cell parsers of domain/importing/value_parsing and the normalisations an imported
//     value goes through (dates, date-times, amounts, numbers, booleans, e-mails, phones,
//     company domains, header folding);
//   - the CSV writer of exports, whose output must read back as the same cells.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv.hpp"
#include "common/text_encoding.hpp"
#include "domain/companies/company_domain.hpp"
#include "domain/contacts/contact_fields.hpp"
#include "domain/importing/header_mapping.hpp"
#include "domain/importing/text_fold.hpp"
#include "domain/importing/value_parsing.hpp"
#include "domain/records/values.hpp"

namespace {

namespace common = relais::common;
namespace domain = relais::domain;
namespace importing = relais::domain::importing;

// Enough rows to reach every code path; more would only slow each input down.
constexpr std::size_t kMaxRows = 64;

void parse_cell(std::string_view cell) {
  (void)importing::trim_cell(cell);
  (void)importing::fold_label(cell);
  (void)importing::parse_amount_minor(cell);
  (void)importing::parse_number(cell);
  (void)importing::parse_bool(cell);
  (void)importing::parse_integer(cell);
  if (auto day = importing::parse_date(cell); day && !domain::is_valid_date(*day)) {
    __builtin_trap();  // parse_date promises a real calendar day
  }
  (void)domain::normalize_datetime(cell);
  for (const std::string& piece : importing::split_list(cell, ",;|")) {
    (void)domain::normalize_email(piece);
    (void)domain::normalize_phone(piece);
  }
  (void)domain::normalize_company_domain(cell);
}

// What a cell reads back as once written: with the formula guard ('\'' before a leading
// = + - @), which the importer removes again.
std::vector<std::string> as_written(const std::vector<std::string>& cells) {
  std::vector<std::string> out;
  for (const std::string& cell : cells) {
    std::string written;
    common::append_csv_cell(written, cell, '\x01');  // decode_to_utf8 refused '\x01'
    const std::string_view unquoted =
        std::string_view(written).substr(!written.empty() && written[0] == '"' ? 1 : 0);
    const bool guard = !cell.empty() && cell[0] != '\'' && !unquoted.empty() && unquoted[0] == '\'';
    out.push_back(guard ? "'" + cell : cell);
  }
  return out;
}

// Cells written by the export writer must read back unchanged. The header is a fixed one: a
// reader drops a byte-order mark at the very start of a file, so a first cell beginning with
// U+FEFF would not come back (exports write schema labels there).
void check_round_trip(const std::vector<common::CsvRow>& rows, char separator) {
  const std::vector<std::string> header = {"Prénom", "=Nom"};
  std::string text;
  common::CsvWriter writer([&](std::string_view line) { text.append(line); }, separator);
  writer.write_row(header);
  std::vector<std::vector<std::string>> expected;
  for (const auto& row : rows) {
    if (row.cells.size() == 1 && row.cells[0].empty()) continue;  // a blank line is skipped
    writer.write_row(row.cells);
    expected.push_back(as_written(row.cells));
  }
  common::CsvReadOptions options;
  options.separator = separator;
  auto back = common::parse_csv(text, options);
  if (!back.ok()) __builtin_trap();
  if (back->header.columns != as_written(header) || back->rows.size() != expected.size()) {
    __builtin_trap();
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (back->rows[i].cells != expected[i]) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!common::is_valid_utf8(common::windows1252_to_utf8(bytes))) __builtin_trap();
  auto decoded = common::decode_to_utf8(bytes);
  if (!decoded.ok()) return 0;
  if (!common::is_valid_utf8(decoded->text)) __builtin_trap();

  std::vector<common::CsvRow> rows;
  auto header = common::read_csv(decoded->text, [&](common::CsvRow& row) {
    rows.push_back(row);
    return rows.size() < kMaxRows;
  });
  if (!header.ok()) return 0;

  std::map<std::string, std::string> overrides;
  if (!rows.empty() && !rows[0].cells.empty()) {
    std::string column, field;
    if (importing::parse_mapping_override(rows[0].cells[0], column, field)) {
      overrides[column] = field;
    }
  }
  const std::vector<importing::CustomFieldColumn> custom = {
      {"niveau_fidelite", "Niveau de fidélité"}, {"date_rdv", "Date du RDV"}};
  for (auto kind : {importing::ImportKind::kContacts, importing::ImportKind::kCompanies,
                    importing::ImportKind::kDeals}) {
    auto mapping = importing::map_columns(kind, header->columns, overrides, custom);
    if (mapping.ok() && mapping->fields.size() != header->columns.size()) __builtin_trap();
    (void)importing::map_columns(kind, header->columns, {}, custom);
  }
  for (const auto& row : rows) {
    for (const auto& cell : row.cells) parse_cell(cell);
  }
  check_round_trip(rows, header->separator);
  return 0;
}
