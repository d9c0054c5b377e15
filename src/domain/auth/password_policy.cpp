#include "domain/auth/password_policy.hpp"

#include <string>
#include <unordered_set>

#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

// Decodes the code point starting at `i` (valid UTF-8 is checked before) and advances `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return s[i++];
  const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  char32_t cp = lead & (0x3F >> extra);
  for (int k = 1; k <= extra && i + k < s.size(); ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += extra + 1;
  return cp;
}

// Unicode White_Space.
bool is_white_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

const std::unordered_set<std::string>& common_passwords() {
  static const std::unordered_set<std::string> list = [] {
    std::unordered_set<std::string> words;
    const std::string_view text = common_passwords_text();
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && line.front() != '#') words.insert(to_lower_ascii(line));
      start = end + 1;
    }
    return words;
  }();
  return list;
}

}  // namespace

bool is_common_password(std::string_view password) {
  return common_passwords().contains(to_lower_ascii(password));
}

Result<void> check_new_password(std::string_view password, const std::string& field) {
  if (!is_valid_utf8(password)) return Error::field(field, "must be valid UTF-8 text");
  std::size_t chars = 0;
  bool only_space = true;
  bool previous_space = false;
  for (std::size_t i = 0; i < password.size();) {
    const bool space = is_white_space(next_code_point(password, i));
    only_space = only_space && space;
    if (!(space && previous_space)) ++chars;  // a run of white space counts once
    previous_space = space;
  }
  if (password.empty() || only_space) return Error::field(field, "must not be only white space");
  if (chars < kMinPasswordChars) {
    return Error::field(field, "must be at least 12 characters (repeated spaces count once)");
  }
  if (chars > kMaxPasswordChars) return Error::field(field, "must be at most 128 characters");
  if (is_common_password(password)) {
    return Error::field(field,
                        "is too common: it appears in lists of leaked passwords; choose another");
  }
  return {};
}

}  // namespace relais::domain
