#include "api/json_input.hpp"

#include <cstdint>

#include "common/text_encoding.hpp"

namespace relais::api {

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  return common::find_invalid_utf8(text);
}

std::optional<std::size_t> find_excessive_nesting(std::string_view json, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace relais::api
