#include "common/csv.hpp"

#include <csv.h>

#include <cstring>

namespace relais::common {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// libcsv's parser state when no row is in progress (csv_parser::pstate, ROW_NOT_BEGUN).
constexpr int kRowNotBegun = 0;

std::string_view strip_bom(std::string_view text) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  return text;
}

// State shared with libcsv's C callbacks during one read_csv call.
struct ParseState {
  const CsvRowHandler* on_row = nullptr;
  CsvHeader* header = nullptr;
  bool have_header = false;
  bool stop = false;
  std::size_t row_line = 0;  // line where the row being parsed started
  CsvRow row;
};

void on_field(void* data, std::size_t len, void* user) {
  auto* state = static_cast<ParseState*>(user);
  state->row.cells.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void on_row_end(int /*terminator*/, void* user) {
  auto* state = static_cast<ParseState*>(user);
  if (state->stop) {
    state->row.cells.clear();
    return;
  }
  state->row.line = state->row_line;
  if (!state->have_header) {
    state->header->columns = std::move(state->row.cells);
    state->have_header = true;
  } else if (!(*state->on_row)(state->row)) {
    state->stop = true;
  }
  state->row.cells.clear();
}

// RAII for a libcsv parser.
class Parser {
 public:
  Parser() { ok_ = csv_init(&p_, CSV_STRICT | CSV_STRICT_FINI) == 0; }
  ~Parser() { csv_free(&p_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  bool ok() const { return ok_; }
  csv_parser* get() { return &p_; }

 private:
  csv_parser p_{};
  bool ok_ = false;
};

Error parse_error(std::size_t line, const std::string& what) {
  Error e = Error::bad_request("malformed CSV at line " + std::to_string(line) + ": " + what);
  e.details["line"] = line;
  return e;
}

bool is_plain_number(std::string_view cell) {
  std::size_t i = 0;
  if (i < cell.size() && (cell[i] == '-' || cell[i] == '+')) ++i;
  bool digits = false, dot = false;
  for (; i < cell.size(); ++i) {
    char c = cell[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if ((c == '.' || c == ',') && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

char detect_separator(std::string_view text) {
  text = strip_bom(text);
  std::size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    if (c == ',') ++commas;
    if (c == ';') ++semicolons;
    if (c == '\t') ++tabs;
  }
  if (semicolons > commas) return ';';
  if (commas == 0 && semicolons == 0 && tabs > 0) return '\t';
  return ',';
}

Result<CsvHeader> read_csv(std::string_view text, const CsvRowHandler& on_row,
                           const CsvReadOptions& options) {
  text = strip_bom(text);
  CsvHeader header;
  header.separator = options.separator ? options.separator : detect_separator(text);

  Parser parser;
  if (!parser.ok()) return Error::internal("cannot initialise the CSV parser");
  csv_set_delim(parser.get(), static_cast<unsigned char>(header.separator));

  ParseState state;
  state.on_row = &on_row;
  state.header = &header;

  // Feeding one physical line at a time lets us know on which line each row starts, which
  // is what the import report shows (the row number a spreadsheet displays).
  std::size_t line = 0;
  std::size_t pos = 0;
  while (pos < text.size() && !state.stop) {
    ++line;
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    std::size_t end = nl ? static_cast<const char*>(nl) - text.data() + 1 : text.size();
    if (parser.get()->pstate == kRowNotBegun) state.row_line = line;
    std::size_t len = end - pos;
    if (csv_parse(parser.get(), text.data() + pos, len, on_field, on_row_end, &state) != len) {
      return parse_error(line, csv_strerror(csv_error(parser.get())));
    }
    pos = end;
  }
  if (!state.stop && csv_fini(parser.get(), on_field, on_row_end, &state) != 0) {
    return parse_error(state.row_line, "unterminated quoted cell");
  }
  if (!state.have_header) return Error::bad_request("the CSV file is empty (no header line)");
  return header;
}

Result<CsvTable> parse_csv(std::string_view text, const CsvReadOptions& options) {
  CsvTable table;
  auto header = read_csv(
      text,
      [&](CsvRow& row) {
        table.rows.push_back(std::move(row));
        return true;
      },
      options);
  if (!header.ok()) return std::move(header).error();
  table.header = std::move(header).value();
  return table;
}

void append_csv_cell(std::string& out, std::string_view cell, char separator) {
  bool guard = !cell.empty() &&
               (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@') &&
               !is_plain_number(cell);
  bool quote = !cell.empty() && (cell.front() == ' ' || cell.back() == ' ' ||
                                 cell.front() == '\t' || cell.back() == '\t');
  if (!quote) {
    for (char c : cell) {
      if (c == separator || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
  }
  if (quote) out.push_back('"');
  if (guard) out.push_back('\'');
  for (char c : cell) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  if (quote) out.push_back('"');
}

CsvWriter::CsvWriter(Sink sink, char separator) : sink_(std::move(sink)), separator_(separator) {}

void CsvWriter::write_row(const std::vector<std::string>& cells) {
  line_.clear();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) line_.push_back(separator_);
    append_csv_cell(line_, cells[i], separator_);
  }
  line_ += "\r\n";
  sink_(line_);
}

}  // namespace relais::common
