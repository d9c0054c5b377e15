// UTC offsets of an IANA time zone, from the system's compiled tzdata (TZif files under
// $TZDIR, default /usr/share/zoneinfo: Debian's tzdata package). libstdc++ 12 has no
// std::chrono::tzdb, and SQLite knows no time zones at all, so calendar arithmetic in a
// user's zone (report buckets: "per day in Europe/Paris") is done here, once, for both
// engines. Instants past the file's last transition follow its POSIX TZ footer rule
// ("CET-1CEST,M3.5.0,M10.5.0/3"), so 2040 has DST like 2030.
//
// Threading: find_time_zone is thread-safe; a TimeZone is immutable once loaded and lives
// until the process ends (names are bounded by the tzdata list).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relais::common {

class TimeZone {
 public:
  // The offset from UTC (local minus UTC, milliseconds) in force at `utc_ms`.
  std::int64_t offset_ms_at(std::int64_t utc_ms) const;

  // The instant (epoch ms) at which the wall clock reads `local_ms` (a local date and time
  // counted like epoch ms). A time the clock reads twice (autumn) gives the earlier instant;
  // a time it skips (spring, a gap) gives the first instant after the gap, where the clock
  // jumps past it.
  std::int64_t local_to_utc_ms(std::int64_t local_ms) const;

  const std::string& name() const { return name_; }

  // Parses TZif data (versions 2+ only: 64-bit times); false when malformed.
  bool parse(std::string name, std::string_view tzif);

 private:
  // One daylight-saving rule of a POSIX TZ string; `kind`: 'J' (Jn, 1..365 without Feb 29),
  // 'D' (n, 0..365), 'M' (Mm.w.d).
  struct RuleDate {
    char kind = 'M';
    int month = 0;
    int week = 0;
    int day = 0;
    std::int64_t time_s = 7200;  // local time of day of the change, may exceed 24 h
  };
  struct Footer {
    bool valid = false;
    std::int64_t std_offset_s = 0;  // east of UTC (POSIX strings count west: sign flipped)
    bool has_dst = false;
    std::int64_t dst_offset_s = 0;
    RuleDate start;
    RuleDate end;
  };
  bool parse_footer(std::string_view text);
  std::int64_t footer_offset_s(std::int64_t utc_s) const;

  std::string name_;
  std::vector<std::int64_t> transitions_s_;  // ascending, UTC seconds
  std::vector<std::int64_t> offsets_s_;      // in force from transitions_s_[i]
  std::int64_t initial_offset_s_ = 0;        // before the first transition
  Footer footer_;
};

// The zone named `name` (an IANA name is_iana_time_zone accepts), loaded on first use;
// nullptr when the name is unknown or its file unreadable. "UTC" always exists.
const TimeZone* find_time_zone(std::string_view name);

}  // namespace relais::common
