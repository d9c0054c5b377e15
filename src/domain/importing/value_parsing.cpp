#include "domain/importing/value_parsing.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "domain/importing/text_fold.hpp"

namespace relais::domain::importing {
namespace {

constexpr std::string_view kNbsp = "\xC2\xA0";
constexpr std::string_view kNarrowNbsp = "\xE2\x80\xAF";

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<std::string> make_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return std::nullopt;
  int max = kDays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
  if (d > max) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string(buf);
}

bool read_number(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Removes thousands-grouping spaces (ASCII, NBSP, narrow NBSP) from a numeric cell.
std::string strip_group_spaces(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == ' ') {
      ++i;
    } else if (s.substr(i, kNbsp.size()) == kNbsp) {
      i += kNbsp.size();
    } else if (s.substr(i, kNarrowNbsp.size()) == kNarrowNbsp) {
      i += kNarrowNbsp.size();
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view trim_cell(std::string_view text) {
  while (true) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    } else if (text.substr(0, kNbsp.size()) == kNbsp) {
      text.remove_prefix(kNbsp.size());
    } else if (text.substr(0, kNarrowNbsp.size()) == kNarrowNbsp) {
      text.remove_prefix(kNarrowNbsp.size());
    } else {
      break;
    }
  }
  while (true) {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
    } else if (text.size() >= kNbsp.size() && text.substr(text.size() - kNbsp.size()) == kNbsp) {
      text.remove_suffix(kNbsp.size());
    } else if (text.size() >= kNarrowNbsp.size() &&
               text.substr(text.size() - kNarrowNbsp.size()) == kNarrowNbsp) {
      text.remove_suffix(kNarrowNbsp.size());
    } else {
      break;
    }
  }
  return text;
}

std::optional<double> parse_number(std::string_view text) {
  std::string s = strip_group_spaces(trim_cell(text));
  const std::size_t last_comma = s.rfind(','), last_dot = s.rfind('.');
  const bool both = last_comma != std::string::npos && last_dot != std::string::npos;
  const char grouping = !both ? '\0' : (last_comma > last_dot ? '.' : ',');
  std::string plain;
  for (char c : s) {
    if (c == grouping) continue;
    plain.push_back(c == ',' ? '.' : c);
  }
  if (plain.empty() || plain.find_first_not_of("+-0123456789.") != std::string::npos) {
    return std::nullopt;
  }
  const char* begin = plain.data() + (plain[0] == '+' ? 1 : 0);
  const char* end = plain.data() + plain.size();
  double value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_amount_minor(std::string_view text) {
  std::string s = strip_group_spaces(trim_cell(text));
  // Currency markers around the number.
  for (std::string_view marker :
       {std::string_view("\xE2\x82\xAC"), std::string_view("EUR"), std::string_view("eur")}) {
    if (s.size() >= marker.size() &&
        s.compare(s.size() - marker.size(), marker.size(), marker.data(), marker.size()) == 0) {
      s.erase(s.size() - marker.size());
    } else if (s.compare(0, marker.size(), marker.data(), marker.size()) == 0) {
      s.erase(0, marker.size());
    }
  }
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s.empty()) return std::nullopt;

  std::size_t last_comma = s.rfind(','), last_dot = s.rfind('.');
  std::size_t decimal = std::string::npos;
  if (last_comma != std::string::npos && last_dot != std::string::npos) {
    decimal = std::max(last_comma, last_dot);
  } else if (last_comma != std::string::npos || last_dot != std::string::npos) {
    std::size_t mark = last_comma != std::string::npos ? last_comma : last_dot;
    char c = s[mark];
    bool single = s.find(c) == mark;
    bool three_after = s.size() - mark - 1 == 3;
    if (single && !three_after) decimal = mark;
    // Several marks ("1.234.567") or exactly three digits after one mark group thousands.
  }
  std::string integer_part, fraction;
  bool grouped = false;
  std::size_t group_digits = 0;  // digits since the last grouping mark: must be 3
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == decimal) {
      if (grouped && group_digits != 3) return std::nullopt;
      continue;
    }
    if (c == ',' || c == '.') {
      if (decimal != std::string::npos && i > decimal) return std::nullopt;
      if ((grouped && group_digits != 3) || group_digits == 0) return std::nullopt;
      grouped = true;
      group_digits = 0;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    bool in_fraction = decimal != std::string::npos && i > decimal;
    (in_fraction ? fraction : integer_part).push_back(c);
    if (!in_fraction) ++group_digits;
  }
  if (grouped && decimal == std::string::npos && group_digits != 3) return std::nullopt;
  if (integer_part.empty() && fraction.empty()) return std::nullopt;
  if (fraction.size() > 2 || integer_part.size() > 15) return std::nullopt;
  while (fraction.size() < 2) fraction.push_back('0');
  std::int64_t value = 0;
  for (char c : integer_part + fraction) value = value * 10 + (c - '0');
  return negative ? -value : value;
}

std::optional<std::string> parse_date(std::string_view text) {
  text = trim_cell(text);
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    int y, m, d;
    if (!read_number(text.substr(0, 4), y) || !read_number(text.substr(5, 2), m) ||
        !read_number(text.substr(8, 2), d)) {
      return std::nullopt;
    }
    if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return std::nullopt;
    return make_date(y, m, d);
  }
  // Day first, as in France: 25/11/2026, 5-1-2026, 25.11.2026.
  char sep = 0;
  for (char c : text) {
    if (c == '/' || c == '-' || c == '.') {
      sep = c;
      break;
    }
  }
  if (!sep) return std::nullopt;
  std::size_t a = text.find(sep), b = text.find(sep, a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(b + 1);
  std::size_t space = rest.find(' ');  // "25/11/2026 14:30" keeps the day
  if (space != std::string_view::npos) rest = rest.substr(0, space);
  int d, m, y;
  if (!read_number(text.substr(0, a), d) || !read_number(text.substr(a + 1, b - a - 1), m) ||
      !read_number(rest, y) || rest.size() != 4) {
    return std::nullopt;
  }
  return make_date(y, m, d);
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string v = fold_label(text);
  if (v == "oui" || v == "yes" || v == "vrai" || v == "true" || v == "1" || v == "x" || v == "o" ||
      v == "y") {
    return true;
  }
  if (v == "non" || v == "no" || v == "faux" || v == "false" || v == "0" || v == "n") {
    return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::string s = strip_group_spaces(trim_cell(text));
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (!all_digits(s) || s.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return negative ? -value : value;
}

std::vector<std::string> split_list(std::string_view text, std::string_view separators) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || separators.find(text[i]) != std::string_view::npos) {
      std::string_view piece = trim_cell(text.substr(start, i - start));
      if (!piece.empty()) out.emplace_back(piece);
      start = i + 1;
    }
  }
  return out;
}

}  // namespace relais::domain::importing
