// Calendar buckets of the wall clock in an IANA time zone (hours, days, ISO weeks, months),
// as instants: what EventLog::bucket_counts counts in, the same for every engine (SQLite has
// no time zones; computing the bounds here keeps both engines' answers identical).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/events/event_log.hpp"

namespace relais::domain {

struct BucketRange {
  std::int64_t start_ms = 0;  // the bucket's calendar start, e.g. local midnight
  std::int64_t from_ms = 0;   // what is counted: [from_ms, to_ms), the bucket clipped to the
  std::int64_t to_ms = 0;     // query's range
};

// The buckets covering [from_ms, to_ms), in time order. A local time the clock skips (the
// 02:00 hour of a spring DST change) is no bucket; a repeated one (autumn) is one bucket of
// two hours. kValidationFailed (fields time_zone / to / size) for an unknown zone, an empty
// range, or more than kMaxEventBuckets buckets.
Result<std::vector<BucketRange>> bucket_ranges(std::int64_t from_ms, std::int64_t to_ms,
                                               BucketSize size, const std::string& time_zone);

}  // namespace relais::domain
