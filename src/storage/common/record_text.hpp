// Records written as JSON text straight from result rows, for Transaction::list_text: the
// same object decode_record builds (every schema field, null when unset, booleans as bool,
// integers as numbers, JSON columns as their JSON), without building it. Keys come out in
// the order nlohmann's std::map would write them (sorted), so the bytes match a dump() of
// the DOM for valid UTF-8 text and compactly stored JSON.
//
// Text is escaped as nlohmann::json::dump does (", \, control characters; UTF-8 kept) and
// invalid UTF-8 is replaced by U+FFFD, as Response::json does. A JSON column that does not
// parse is written as null, as decode_record does.
//
// Threading: a RecordTextLayout is immutable once built; use one per call or share it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/schema/entity_schema.hpp"

namespace relais::storage {

// How one column is written.
enum class ColumnText { kString, kNumber, kBoolean, kJson };

// The value of one column of the current row, as an engine hands it over.
struct ColumnValue {
  enum class Kind { kNull, kInteger, kReal, kText } kind = Kind::kNull;
  std::int64_t integer = 0;
  double real = 0;
  std::string_view text;  // valid until the row changes
};

class RecordTextLayout {
 public:
  explicit RecordTextLayout(const domain::EntitySchema& schema);

  struct Slot {
    std::string key;  // `"name":`, escaped, the separator included
    int column = 0;   // offset from the record's first column
    ColumnText as = ColumnText::kString;
  };
  const std::vector<Slot>& slots() const { return slots_; }

 private:
  std::vector<Slot> slots_;  // sorted by field name
};

// Appends `"…"` with `text` escaped (and invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view text);

// One value, written as `as` says.
void append_value(std::string& out, ColumnText as, const ColumnValue& value);

// Appends one record object. `column(i, as)` returns the ColumnValue of the record's i-th
// column, to be written as `as`.
template <typename ColumnAt>
void append_record(std::string& out, const RecordTextLayout& layout, ColumnAt&& column) {
  out.push_back('{');
  bool first = true;
  for (const auto& slot : layout.slots()) {
    if (!first) out.push_back(',');
    first = false;
    out += slot.key;
    append_value(out, slot.as, column(slot.column, slot.as));
  }
  out.push_back('}');
}

}  // namespace relais::storage
