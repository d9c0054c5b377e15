#include "domain/records/values.hpp"

#include <chrono>
#include <cstdio>

#include "common/text_encoding.hpp"

namespace relais::domain {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`; false when they are not all digits.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Howard Hinnant's days_from_civil: days since 1970-01-01.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool parse_date_at(std::string_view s, int& y, int& m, int& d) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!read_digits(s, 0, 4, y) || !read_digits(s, 5, 2, m) || !read_digits(s, 8, 2, d)) {
    return false;
  }
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

}  // namespace

bool is_valid_utf8(std::string_view text) { return common::is_valid_utf8(text); }

std::optional<std::size_t> find_control_character(std::string_view text, bool multiline) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7F) continue;
    if (c == '\t' || (multiline && (c == '\n' || c == '\r'))) continue;
    return i;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  const char* ws = " \t\r\n\f\v";
  const auto b = text.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = text.find_last_not_of(ws);
  return text.substr(b, e - b + 1);
}

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_valid_date(std::string_view text) {
  int y, m, d;
  return text.size() == 10 && parse_date_at(text, y, m, d);
}

std::optional<std::string> normalize_datetime(std::string_view s) {
  int y, mo, d, h, mi, sec = 0, ms = 0;
  if (!parse_date_at(s, y, mo, d)) return std::nullopt;
  if (s.size() < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  if (!read_digits(s, 11, 2, h) || s[13] != ':' || !read_digits(s, 14, 2, mi)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!read_digits(s, pos + 1, 2, sec)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::size_t digits = 0;
      while (pos < s.size() && is_digit(s[pos])) {
        if (digits < 3) ms = ms * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (std::size_t k = digits; k < 3; ++k) ms *= 10;
    }
  }
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;  // no leap seconds
  int offset_minutes = 0;
  if (pos >= s.size()) return std::nullopt;  // a time zone is required
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh, om = 0;
    if (!read_digits(s, pos + 1, 2, oh)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size()) {
      if (!read_digits(s, pos, 2, om)) return std::nullopt;
      pos += 2;
    }
    if (oh > 18 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t epoch_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                               static_cast<std::int64_t>(offset_minutes) * 60;
  return format_epoch_ms(epoch_s * 1000 + ms);
}

std::string format_epoch_ms(std::int64_t epoch_ms) {
  std::int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  const int ms = static_cast<int>(epoch_ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const std::int64_t rem = secs - days * 86400;
  // civil_from_days (Howard Hinnant).
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[40];
  const int h = static_cast<int>(rem / 3600), mi = static_cast<int>(rem % 3600 / 60),
            sec = static_cast<int>(rem % 60);
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y),
                m, d, h, mi, sec, ms);
  return buf;
}

std::string format_storage_timestamp(std::int64_t epoch_ms) { return format_epoch_ms(epoch_ms); }

bool is_storage_timestamp(std::string_view text) {
  if (text.size() != 24 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != '.' || text[23] != 'Z') {
    return false;
  }
  int ms;
  return read_digits(text, 20, 3, ms) && normalize_datetime(text).has_value();
}

std::int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace relais::domain
