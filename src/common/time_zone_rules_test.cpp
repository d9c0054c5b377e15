#include "common/time_zone_rules.hpp"

#include <gtest/gtest.h>

namespace relais::common {
namespace {

constexpr std::int64_t kHour = 3'600'000;

// 2026-03-29T01:00:00Z, Paris's spring change, and 2026-10-25T01:00:00Z, its autumn one.
constexpr std::int64_t kSpring2026 = 1'774'746'000'000;
constexpr std::int64_t kAutumn2026 = 1'792'890'000'000;

TEST(TimeZoneRules, ParisOffsetsAroundBothChanges) {
  const TimeZone* paris = find_time_zone("Europe/Paris");
  ASSERT_NE(paris, nullptr);
  EXPECT_EQ(paris->offset_ms_at(kSpring2026 - 1), kHour);
  EXPECT_EQ(paris->offset_ms_at(kSpring2026), 2 * kHour);
  EXPECT_EQ(paris->offset_ms_at(kAutumn2026 - 1), 2 * kHour);
  EXPECT_EQ(paris->offset_ms_at(kAutumn2026), kHour);
}

TEST(TimeZoneRules, LocalTimesInGapsAndFoldsPickTheDocumentedInstant) {
  const TimeZone* paris = find_time_zone("Europe/Paris");
  ASSERT_NE(paris, nullptr);
  // 02:30 on 29 March 2026 does not exist: the first instant after the gap, 01:00Z.
  const std::int64_t local_0230_spring = kSpring2026 + kHour + kHour / 2;
  EXPECT_EQ(paris->local_to_utc_ms(local_0230_spring), kSpring2026);
  // 02:30 on 25 October 2026 happens twice: the earlier, 00:30Z (summer time).
  const std::int64_t local_0230_autumn = kAutumn2026 + kHour + kHour / 2;
  EXPECT_EQ(paris->local_to_utc_ms(local_0230_autumn), kAutumn2026 - kHour / 2);
  // Midnight, an ordinary time.
  EXPECT_EQ(paris->local_to_utc_ms(kSpring2026 - kHour), kSpring2026 - 2 * kHour);
}

TEST(TimeZoneRules, TheFooterRuleGoesOnPastTheLastTransition) {
  const TimeZone* paris = find_time_zone("Europe/Paris");
  ASSERT_NE(paris, nullptr);
  // 2080-07-01T12:00Z and 2080-01-01T12:00Z: past any tzdata file's transitions.
  EXPECT_EQ(paris->offset_ms_at(3'487'060'800'000), 2 * kHour);
  EXPECT_EQ(paris->offset_ms_at(3'471'336'000'000), kHour);
  // Southern hemisphere, DST across the new year: Sydney +11 in January, +10 in July.
  const TimeZone* sydney = find_time_zone("Australia/Sydney");
  ASSERT_NE(sydney, nullptr);
  EXPECT_EQ(sydney->offset_ms_at(3'471'336'000'000), 11 * kHour);
  EXPECT_EQ(sydney->offset_ms_at(3'487'060'800'000), 10 * kHour);
}

TEST(TimeZoneRules, UnknownNamesAndPathsAreNoZone) {
  EXPECT_EQ(find_time_zone("Mars/Olympus"), nullptr);
  EXPECT_EQ(find_time_zone("../../etc/passwd"), nullptr);
  const TimeZone* utc = find_time_zone("UTC");
  ASSERT_NE(utc, nullptr);
  EXPECT_EQ(utc->offset_ms_at(kSpring2026), 0);
  const TimeZone* kolkata = find_time_zone("Asia/Kolkata");
  ASSERT_NE(kolkata, nullptr);
  EXPECT_EQ(kolkata->offset_ms_at(kSpring2026), 5 * kHour + kHour / 2);
}

}  // namespace
}  // namespace relais::common
