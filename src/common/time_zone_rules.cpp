#include "common/time_zone_rules.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

#include "common/time_zones.hpp"

namespace relais::common {
namespace {

constexpr std::int64_t kDaySeconds = 86'400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}}
      .time_since_epoch()
      .count();
}

int year_of_day(std::int64_t days) {
  using namespace std::chrono;
  return static_cast<int>(year_month_day{sys_days{std::chrono::days{days}}}.year());
}

bool is_leap(int year) { return std::chrono::year{year}.is_leap(); }

// Big-endian fields of the TZif format (RFC 8536).
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool has(std::size_t n) const { return pos_ + n <= data_.size(); }
  void skip(std::size_t n) { pos_ += n; }
  std::int64_t be(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += n;
    if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
  }
  std::string_view rest() const { return data_.substr(std::min(pos_, data_.size())); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

struct Counts {
  std::int64_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool read_header(Reader& r, Counts& c, char& version) {
  if (!r.has(44)) return false;
  const std::string_view magic = r.rest().substr(0, 4);
  if (magic != "TZif") return false;
  version = r.rest()[4];
  r.skip(20);
  c.isut = r.be(4);
  c.isstd = r.be(4);
  c.leap = r.be(4);
  c.time = r.be(4);
  c.type = r.be(4);
  c.chars = r.be(4);
  return c.isut >= 0 && c.isstd >= 0 && c.leap >= 0 && c.time >= 0 && c.type > 0 && c.chars >= 0;
}

// "[+-]hh[:mm[:ss]]" as seconds; advances `s`. False when no digits.
bool parse_hms(std::string_view& s, std::int64_t& out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  std::int64_t total = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (s.empty() || s[0] != ':') break;
      s.remove_prefix(1);
    }
    std::int64_t v = 0;
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
      v = v * 10 + (s[digits] - '0');
      ++digits;
    }
    if (digits == 0) return false;
    s.remove_prefix(digits);
    total += v * (part == 0 ? 3600 : part == 1 ? 60 : 1);
  }
  out = sign * total;
  return true;
}

bool parse_tz_name(std::string_view& s) {
  if (!s.empty() && s[0] == '<') {
    const auto close = s.find('>');
    if (close == std::string_view::npos) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) ++n;
  if (n < 3) return false;
  s.remove_prefix(n);
  return true;
}

int parse_int(std::string_view& s) {
  int v = 0;
  while (!s.empty() && s[0] >= '0' && s[0] <= '9') {
    v = v * 10 + (s[0] - '0');
    s.remove_prefix(1);
  }
  return v;
}

}  // namespace

bool TimeZone::parse(std::string name, std::string_view tzif) {
  name_ = std::move(name);
  Reader r(tzif);
  Counts c;
  char version = 0;
  if (!read_header(r, c, version) || version < '2') return false;
  // Skip the 32-bit block: the 64-bit one after it says the same for every instant.
  const std::int64_t v1 = c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut;
  if (!r.has(static_cast<std::size_t>(v1))) return false;
  r.skip(static_cast<std::size_t>(v1));
  if (!read_header(r, c, version)) return false;
  const std::int64_t v2 = c.time * 9 + c.type * 6 + c.chars + c.leap * 12 + c.isstd + c.isut;
  if (!r.has(static_cast<std::size_t>(v2))) return false;
  transitions_s_.reserve(static_cast<std::size_t>(c.time));
  for (std::int64_t i = 0; i < c.time; ++i) transitions_s_.push_back(r.be(8));
  std::vector<std::int64_t> type_of_transition;
  type_of_transition.reserve(static_cast<std::size_t>(c.time));
  for (std::int64_t i = 0; i < c.time; ++i) type_of_transition.push_back(r.be(1));
  std::vector<std::int64_t> type_offsets;
  type_offsets.reserve(static_cast<std::size_t>(c.type));
  for (std::int64_t i = 0; i < c.type; ++i) {
    type_offsets.push_back(r.be(4));
    r.skip(2);  // isdst, designation index: offsets are all buckets need
  }
  offsets_s_.reserve(transitions_s_.size());
  for (const std::int64_t t : type_of_transition) {
    if (t >= c.type) return false;
    offsets_s_.push_back(type_offsets[static_cast<std::size_t>(t)]);
  }
  initial_offset_s_ = type_offsets[0];  // RFC 8536: type 0 before the first transition
  r.skip(static_cast<std::size_t>(c.chars + c.leap * 12 + c.isstd + c.isut));
  std::string_view footer = r.rest();
  if (!footer.empty() && footer[0] == '\n') {
    footer.remove_prefix(1);
    const auto end = footer.find('\n');
    if (end != std::string_view::npos && end > 0)
      footer_.valid = parse_footer(footer.substr(0, end));
  }
  return std::is_sorted(transitions_s_.begin(), transitions_s_.end());
}

bool TimeZone::parse_footer(std::string_view s) {
  if (!parse_tz_name(s)) return false;
  std::int64_t west = 0;
  if (!parse_hms(s, west)) return false;
  footer_.std_offset_s = -west;
  if (s.empty()) return true;
  if (!parse_tz_name(s)) return false;
  footer_.has_dst = true;
  footer_.dst_offset_s = footer_.std_offset_s + 3600;
  if (!s.empty() && s[0] != ',') {
    if (!parse_hms(s, west)) return false;
    footer_.dst_offset_s = -west;
  }
  if (s.empty()) s = ",M3.2.0,M11.1.0";  // POSIX's default rule (the US one)
  for (RuleDate* rule : {&footer_.start, &footer_.end}) {
    if (s.empty() || s[0] != ',') return false;
    s.remove_prefix(1);
    if (!s.empty() && s[0] == 'J') {
      s.remove_prefix(1);
      rule->kind = 'J';
      rule->day = parse_int(s);
    } else if (!s.empty() && s[0] == 'M') {
      s.remove_prefix(1);
      rule->kind = 'M';
      rule->month = parse_int(s);
      if (s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
      rule->week = parse_int(s);
      if (s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
      rule->day = parse_int(s);
      if (rule->month < 1 || rule->month > 12 || rule->week < 1 || rule->week > 5 ||
          rule->day > 6) {
        return false;
      }
    } else {
      rule->kind = 'D';
      rule->day = parse_int(s);
    }
    rule->time_s = 7200;
    if (!s.empty() && s[0] == '/') {
      s.remove_prefix(1);
      if (!parse_hms(s, rule->time_s)) return false;
    }
  }
  return s.empty();
}

std::int64_t TimeZone::footer_offset_s(std::int64_t utc_s) const {
  if (!footer_.has_dst) return footer_.std_offset_s;
  const int year = year_of_day(floor_div(utc_s + footer_.std_offset_s, kDaySeconds));
  // The local instant (seconds, in the offset in force before the change) of a rule's date.
  const auto local_change = [year](const RuleDate& rule) {
    std::int64_t day = 0;
    if (rule.kind == 'J') {
      day = days_from_civil(year, 1, 1) + rule.day - 1 + (is_leap(year) && rule.day >= 60 ? 1 : 0);
    } else if (rule.kind == 'D') {
      day = days_from_civil(year, 1, 1) + rule.day;
    } else {
      const std::int64_t first = days_from_civil(year, static_cast<unsigned>(rule.month), 1);
      const auto first_weekday = static_cast<int>(
          std::chrono::weekday{std::chrono::sys_days{std::chrono::days{first}}}.c_encoding());
      std::int64_t dom = 1 + (rule.day - first_weekday + 7) % 7 + (rule.week - 1) * 7;
      const std::int64_t next_month =
          rule.month == 12 ? days_from_civil(year + 1, 1, 1)
                           : days_from_civil(year, static_cast<unsigned>(rule.month + 1), 1);
      while (first + dom - 1 >= next_month) dom -= 7;  // week 5 = the last one
      day = first + dom - 1;
    }
    return day * kDaySeconds + rule.time_s;
  };
  const std::int64_t start = local_change(footer_.start) - footer_.std_offset_s;
  const std::int64_t end = local_change(footer_.end) - footer_.dst_offset_s;
  const bool dst = start < end ? (utc_s >= start && utc_s < end) : !(utc_s >= end && utc_s < start);
  return dst ? footer_.dst_offset_s : footer_.std_offset_s;
}

std::int64_t TimeZone::offset_ms_at(std::int64_t utc_ms) const {
  const std::int64_t t = floor_div(utc_ms, 1000);
  if (transitions_s_.empty() || t < transitions_s_.front()) {
    return 1000 *
           (transitions_s_.empty() && footer_.valid ? footer_offset_s(t) : initial_offset_s_);
  }
  const auto after = std::upper_bound(transitions_s_.begin(), transitions_s_.end(), t);
  const auto index = static_cast<std::size_t>(after - transitions_s_.begin()) - 1;
  if (after == transitions_s_.end() && footer_.valid) return 1000 * footer_offset_s(t);
  return 1000 * offsets_s_[index];
}

std::int64_t TimeZone::local_to_utc_ms(std::int64_t local_ms) const {
  constexpr std::int64_t kDayMs = kDaySeconds * 1000;
  // Real zones change their offset at most once within a day and by less than a day: the
  // offsets a day before and after are the only candidates.
  const std::int64_t before = offset_ms_at(local_ms - kDayMs);
  const std::int64_t after = offset_ms_at(local_ms + kDayMs);
  std::optional<std::int64_t> best;
  for (const std::int64_t offset : {before, after}) {
    const std::int64_t utc = local_ms - offset;
    if (offset_ms_at(utc) == offset && (!best || utc < *best)) best = utc;
  }
  if (best) return *best;
  // A gap: the clock jumped from before `local_ms` to after it. The first instant after the
  // gap is the transition, between the two candidates; find it by bisection (the offset is
  // `before` up to it and `after` from it on).
  std::int64_t lo = local_ms - std::max(before, after);
  std::int64_t hi = local_ms - std::min(before, after);
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (offset_ms_at(mid) == before) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

const TimeZone* find_time_zone(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<TimeZone>, std::less<>> zones;
  if (!is_iana_time_zone(name)) return nullptr;  // also keeps paths out of the file name
  const std::lock_guard lock(mutex);
  if (auto it = zones.find(name); it != zones.end()) return it->second.get();
  const char* dir = std::getenv("TZDIR");
  const std::string root = dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
  std::ifstream in(root + "/" + std::string(name), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto zone = std::make_unique<TimeZone>();
  if (!zone->parse(std::string(name), bytes.str())) {
    if (name != "UTC" && name != "Etc/UTC") return nullptr;
    zone = std::make_unique<TimeZone>();  // no tzdata: UTC still works (offset 0)
    zone->parse(std::string(name), "");
  }
  return zones.emplace(std::string(name), std::move(zone)).first->second.get();
}

}  // namespace relais::common
