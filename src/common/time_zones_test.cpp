#include "common/time_zones.hpp"

#include <gtest/gtest.h>

namespace relais::common {
namespace {

TEST(TimeZones, KnowsZonesAndLinksOfTheSystemTzdata) {
  // Debian's tzdata (scripts/bootstrap) has ~600 names; fewer means the file was not read.
  EXPECT_GT(known_time_zone_count(), 300u);
  for (const char* name : {"Europe/Paris", "America/New_York", "UTC", "Etc/UTC", "Asia/Kolkata",
                           "Asia/Calcutta", "America/Argentina/Buenos_Aires"}) {
    EXPECT_TRUE(is_iana_time_zone(name)) << name;
  }
}

TEST(TimeZones, RefusesAnythingElse) {
  for (const char* name :
       {"", "Europe/Pariss", "europe/paris", "Paris", "../../etc/passwd", "posixrules", "localtime",
        "Europe/Paris\n", " Europe/Paris", "right/Europe/Paris", "+02:00", "Europe"}) {
    EXPECT_FALSE(is_iana_time_zone(name)) << name;
  }
}

}  // namespace
}  // namespace relais::common
