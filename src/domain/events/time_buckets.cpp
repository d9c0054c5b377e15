#include "domain/events/time_buckets.hpp"

#include <algorithm>
#include <chrono>

#include "common/time_zone_rules.hpp"

namespace relais::domain {
namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Local times are counted like epoch ms ("local epoch"): calendar arithmetic on them is UTC
// arithmetic, with no zone involved.
std::int64_t floor_local(std::int64_t local_ms, BucketSize size) {
  using namespace std::chrono;
  switch (size) {
    case BucketSize::kHour:
      return floor_div(local_ms, kHourMs) * kHourMs;
    case BucketSize::kDay:
      return floor_div(local_ms, kDayMs) * kDayMs;
    case BucketSize::kWeek: {
      const std::int64_t day = floor_div(local_ms, kDayMs);
      const std::int64_t monday_based = ((day + 3) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
      return (day - monday_based) * kDayMs;
    }
    case BucketSize::kMonth: {
      const year_month_day ymd{sys_days{days{floor_div(local_ms, kDayMs)}}};
      return sys_days{ymd.year() / ymd.month() / 1}.time_since_epoch().count() * kDayMs;
    }
  }
  return local_ms;
}

std::int64_t next_local(std::int64_t start_ms, BucketSize size) {
  using namespace std::chrono;
  switch (size) {
    case BucketSize::kHour:
      return start_ms + kHourMs;
    case BucketSize::kDay:
      return start_ms + kDayMs;
    case BucketSize::kWeek:
      return start_ms + 7 * kDayMs;
    case BucketSize::kMonth: {
      const year_month_day ymd{sys_days{days{floor_div(start_ms, kDayMs)}}};
      const year_month_day next = ymd + months{1};
      return sys_days{next}.time_since_epoch().count() * kDayMs;
    }
  }
  return start_ms + kDayMs;
}

}  // namespace

Result<std::vector<BucketRange>> bucket_ranges(std::int64_t from_ms, std::int64_t to_ms,
                                               BucketSize size, const std::string& time_zone) {
  const common::TimeZone* zone = common::find_time_zone(time_zone);
  if (zone == nullptr) return Error::field("time_zone", "unknown time zone '" + time_zone + "'");
  if (to_ms <= from_ms) return Error::field("to", "must be after from");
  std::vector<BucketRange> out;
  std::int64_t local = floor_local(from_ms + zone->offset_ms_at(from_ms), size);
  std::int64_t start = zone->local_to_utc_ms(local);
  while (start < to_ms) {
    const std::int64_t next_start = next_local(local, size);
    const std::int64_t end = zone->local_to_utc_ms(next_start);
    if (end > start) {  // a local hour the clock skipped holds no instant: no bucket
      if (out.size() == kMaxEventBuckets) {
        return Error::field("size", "more than " + std::to_string(kMaxEventBuckets) +
                                        " buckets: choose a larger bucket or a shorter range");
      }
      out.push_back({start, std::max(start, from_ms), std::min(end, to_ms)});
    }
    local = next_start;
    start = std::max(start, end);
  }
  return out;
}

}  // namespace relais::domain
