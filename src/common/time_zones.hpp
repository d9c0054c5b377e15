// The IANA time zone names this machine's tzdata knows ("Europe/Paris", "UTC", and links
// such as "Asia/Calcutta"). Read once, on first use, from $TZDIR/tzdata.zi (default
// /usr/share/zoneinfo; Debian's tzdata package, installed by scripts/bootstrap). libstdc++ 12
// has no std::chrono::tzdb, hence the file.
// Thread-safe: the list is built inside a function-local static and never changes.
#pragma once

#include <cstddef>
#include <string_view>

namespace relais::common {

// True for a zone or link name of the tzdata list. Without a readable tzdata.zi only "UTC"
// and "Etc/UTC" are known (fail closed: an unknown name is never stored).
bool is_iana_time_zone(std::string_view name);

// How many names are known (tests, diagnostics).
std::size_t known_time_zone_count();

}  // namespace relais::common
