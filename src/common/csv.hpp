// CSV reading (on top of libcsv) and writing, for import and export.
//
// Reading is strict: a stray quote inside an unquoted cell or an unterminated quoted cell is
// an error naming the line, never a silently shifted row. The separator (',', ';' as
// French Excel writes, or a tab) is detected from the header line; CRLF and LF both end rows; a
// UTF-8 byte-order mark is skipped. Input must already be UTF-8 (see text_encoding.hpp).
//
// Writing quotes cells only when needed and guards against formula injection: a cell that
// starts with '=', '+', '-' or '@' (and is not a plain number) is prefixed with '\'' so a
// spreadsheet shows it as text instead of evaluating it.
//
// Thread-safety: the functions hold no shared state; a CsvWriter belongs to one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace relais::common {

struct CsvRow {
  std::size_t line = 0;  // 1-based physical line where the row starts (header = line 1)
  std::vector<std::string> cells;
};

struct CsvReadOptions {
  char separator = 0;  // 0 = detect from the header line (',' unless ';' dominates)
};

// Called for each data row (the header excluded). Return false to stop reading.
using CsvRowHandler = std::function<bool(CsvRow&)>;

struct CsvHeader {
  char separator = ',';
  std::vector<std::string> columns;
};

// Guesses the separator from the first line: ';' when it has more ';' than ',' outside
// quotes, '\t' when it has only tabs, ',' otherwise.
char detect_separator(std::string_view text);

// Streams rows to `on_row`. Returns the header. kBadRequest (with details {"line": N}) on
// malformed CSV or an empty file. Completely blank lines are skipped.
Result<CsvHeader> read_csv(std::string_view utf8_text, const CsvRowHandler& on_row,
                           const CsvReadOptions& options = {});

struct CsvTable {
  CsvHeader header;
  std::vector<CsvRow> rows;
};
// Convenience for small inputs and tests: the whole table in memory.
Result<CsvTable> parse_csv(std::string_view utf8_text, const CsvReadOptions& options = {});

// Appends one cell, quoted when it contains the separator, a quote, CR/LF or leading/trailing
// blanks, and with the formula-injection guard applied.
void append_csv_cell(std::string& out, std::string_view cell, char separator = ',');

// Builds CSV text row by row into a caller-provided sink (a string, a file, a socket...).
class CsvWriter {
 public:
  using Sink = std::function<void(std::string_view)>;
  explicit CsvWriter(Sink sink, char separator = ',');

  void write_row(const std::vector<std::string>& cells);

 private:
  Sink sink_;
  char separator_;
  std::string line_;  // reused buffer for one row
};

}  // namespace relais::common
