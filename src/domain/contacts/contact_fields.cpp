#include "domain/contacts/contact_fields.hpp"

#include <algorithm>

#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') {
    return false;
  }
  constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~.-";
  for (std::size_t i = 0; i < local.size(); ++i) {
    const char c = local[i];
    if (c == '.' && local[i + 1] == '.') return false;
    if (!is_alnum(c) && kSpecials.find(c) == std::string_view::npos &&
        static_cast<unsigned char>(c) < 0x80) {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  std::size_t labels = 0;
  std::size_t start = 0;
  while (start <= domain.size()) {
    std::size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!is_alnum(c) && c != '-' && static_cast<unsigned char>(c) < 0x80) return false;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2;
}

}  // namespace

std::optional<std::string> normalize_email(std::string_view raw) {
  std::string email = to_lower_ascii(trim(raw));
  if (email.size() > 254 || !is_valid_utf8(email)) return std::nullopt;
  const auto at = email.find('@');
  if (at == std::string::npos || email.find('@', at + 1) != std::string::npos) return std::nullopt;
  if (!valid_local_part(std::string_view(email).substr(0, at)) ||
      !valid_domain(std::string_view(email).substr(at + 1))) {
    return std::nullopt;
  }
  return email;
}

std::string normalize_phone(std::string_view raw) {
  const std::string_view typed = trim(raw);
  std::string digits;
  bool plus = false;
  for (std::size_t i = 0; i < typed.size(); ++i) {
    const char c = typed[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && i == 0) {
      plus = true;
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')' && c != '/') {
      return std::string(typed);  // letters, extensions...: not ours to rewrite
    }
  }
  if (!plus && digits.size() > 2 && digits.compare(0, 2, "00") == 0) {
    plus = true;
    digits.erase(0, 2);
  }
  if (plus) {
    // "+33 (0)6 12 34 56 78": the national trunk 0 is dropped after the country code.
    if (digits.size() == 12 && digits.compare(0, 3, "330") == 0) digits.erase(2, 1);
    if (digits.size() < 7 || digits.size() > 15) return std::string(typed);
    return "+" + digits;
  }
  if (digits.size() == 10 && digits[0] == '0' && digits[1] != '0') {
    return "+33" + digits.substr(1);
  }
  return std::string(typed);
}

}  // namespace relais::domain
