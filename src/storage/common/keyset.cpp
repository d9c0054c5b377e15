#include "storage/common/keyset.hpp"

#include <fmt/format.h>

#include <cctype>

namespace relais::storage {
namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

using domain::EntitySchema;
using domain::FieldDef;
using domain::FieldType;

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool is_json_field(FieldType type) {
  return type == FieldType::kTextList || type == FieldType::kReferenceList ||
         type == FieldType::kObject || type == FieldType::kList;
}

std::string select_columns(const domain::EntitySchema& schema, std::string_view alias) {
  std::string out;
  for (const auto& f : schema.fields) {
    if (!out.empty()) out += ", ";
    out += alias;
    out += '.';
    out += quote_ident(f.name);
  }
  return out;
}

std::string normalise_key(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out(text.substr(begin, end - begin));
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int effective_limit(int requested) {
  if (requested <= 0) return 50;
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

Result<ResolvedSort> resolve_sort(const EntitySchema& schema,
                                  const std::vector<domain::SortKey>& requested) {
  ResolvedSort sort;
  bool has_id = false;
  for (const auto& key : requested) {
    const FieldDef* f = schema.field(key.field);
    if (f == nullptr || !f->sortable || is_json_field(f->type)) {
      return Error::bad_request(fmt::format("cannot sort on '{}'", key.field));
    }
    sort.keys.push_back(key);
    if (key.field == "id") {
      has_id = true;
      break;  // id is unique: later keys could never matter
    }
  }
  if (!has_id) {
    // Tiebreak in the direction of the last key so one index scan serves the whole order.
    const bool descending = sort.keys.empty() || sort.keys.back().descending;
    sort.keys.push_back({"id", descending});
  }
  return sort;
}

std::string cursor_for(const ResolvedSort& sort, const Json& record) {
  Json values = Json::array();
  for (const auto& key : sort.keys) {
    const auto it = record.find(key.field);
    values.push_back(it == record.end() ? Json(nullptr) : *it);
  }
  return encode_cursor(values);
}

std::string encode_cursor(const Json& values) {
  const std::string raw = values.dump();
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3f];
  return out;
}

Result<Json> decode_cursor(std::string_view cursor, std::size_t expected_values) {
  const Error invalid = Error::bad_request("invalid cursor");
  if (cursor.size() > 4096) return invalid;
  std::string raw;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : cursor) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    if (v < 0) return invalid;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  Json values = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (values.is_discarded() || !values.is_array() || values.size() != expected_values) {
    return invalid;
  }
  for (const auto& v : values) {
    if (!(v.is_null() || v.is_string() || v.is_number() || v.is_boolean())) return invalid;
  }
  if (!values.back().is_number_integer()) return invalid;
  return values;
}

std::vector<std::string> search_terms(std::string_view text) {
  std::vector<std::string> terms;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    std::string term;
    bool searchable = false;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) {
      const auto c = static_cast<unsigned char>(text[i++]);
      if (c == '"' || c == '*' || c < 0x20) continue;
      if (std::isalnum(c) || c >= 0x80) searchable = true;
      term += static_cast<char>(c);
    }
    if (searchable) terms.push_back(std::move(term));
  }
  return terms;
}

}  // namespace relais::storage
