#include "storage/common/record_text.hpp"

#include <algorithm>
#include <charconv>

#include "common/result.hpp"
#include "storage/common/keyset.hpp"

namespace relais::storage {
namespace {

using domain::FieldType;

ColumnText column_text_of(FieldType type) {
  if (type == FieldType::kBoolean) return ColumnText::kBoolean;
  if (is_json_field(type)) return ColumnText::kJson;
  if (type == FieldType::kInteger || type == FieldType::kMoney || type == FieldType::kReference) {
    return ColumnText::kNumber;
  }
  return ColumnText::kString;
}

// The length of the well-formed UTF-8 sequence at the start of `s` (1-4), or 0 if it is not
// one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). `*consumed` is
// then how many bytes belong to the broken sequence (its maximal valid prefix, at least 1),
// the span replaced by one U+FFFD.
std::size_t utf8_sequence(std::string_view s, std::size_t* consumed) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    *consumed = 1;
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const bool in_range =
        i < s.size() && byte(i) >= (i == 1 ? low : 0x80) && byte(i) <= (i == 1 ? high : 0xBF);
    if (!in_range) {
      *consumed = i;
      return 0;
    }
  }
  return length;
}

void append_escaped_control(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '\b':
      out += "\\b";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\r':
      out += "\\r";
      return;
    default:
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
  }
}

void append_integer(std::string& out, std::int64_t value) {
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, end);
}

}  // namespace

RecordTextLayout::RecordTextLayout(const domain::EntitySchema& schema) {
  slots_.reserve(schema.fields.size());
  int column = 0;
  for (const auto& field : schema.fields) {
    Slot slot;
    append_json_string(slot.key, field.name);
    slot.key.push_back(':');
    slot.column = column++;
    slot.as = column_text_of(field.type);
    slots_.push_back(std::move(slot));
  }
  // nlohmann's objects are std::maps: the DOM writes its keys in byte order.
  std::sort(slots_.begin(), slots_.end(),
            [](const Slot& a, const Slot& b) { return a.key < b.key; });
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    // The common case first: a run of printable ASCII needing no escape.
    std::size_t run = i;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else {
        append_escaped_control(out, c);
      }
      ++i;
      continue;
    }
    std::size_t consumed = 0;
    const std::size_t length = utf8_sequence(text.substr(i), &consumed);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      i += consumed;
    } else {
      out.append(text.data() + i, length);
      i += length;
    }
  }
  out.push_back('"');
}

void append_value(std::string& out, ColumnText as, const ColumnValue& value) {
  using Kind = ColumnValue::Kind;
  if (value.kind == Kind::kNull) {
    out += "null";
    return;
  }
  switch (as) {
    case ColumnText::kBoolean:
      // As decode_record: the column's integer value, non-zero is true.
      out += value.kind == Kind::kInteger && value.integer != 0 ? "true" : "false";
      return;
    case ColumnText::kJson:
      if (value.kind == Kind::kText && Json::accept(value.text)) {
        out += value.text;
      } else {
        out += "null";
      }
      return;
    case ColumnText::kNumber:
      if (value.kind == Kind::kInteger) {
        append_integer(out, value.integer);
      } else if (value.kind == Kind::kReal) {
        out += Json(value.real).dump();
      } else {
        append_json_string(out, value.text);  // SQLite's typing let text into the column
      }
      return;
    case ColumnText::kString:
      if (value.kind == Kind::kInteger) {
        out.push_back('"');
        append_integer(out, value.integer);
        out.push_back('"');
      } else {
        append_json_string(out, value.text);
      }
      return;
  }
}

}  // namespace relais::storage
