#include "http/url.hpp"

#include <gtest/gtest.h>

namespace relais::http {
namespace {

TEST(UrlTest, DecodesPathButKeepsPlus) {
  Result<Target> target = parse_target("/api/v1/contacts/caf%C3%A9+x");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/api/v1/contacts/café+x");
  EXPECT_TRUE(target->query.empty());
}

TEST(UrlTest, DecodesQueryWithPlusAsSpaceAndRepeatedKeys) {
  Result<Target> target = parse_target("/x?q=jean+dupont&tag=a&tag=b%26c&flag&=v&&e=");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/x");
  auto& q = target->query;
  EXPECT_EQ(q.find("q")->second, "jean dupont");
  auto [begin, end] = q.equal_range("tag");
  std::vector<std::string> tags;
  for (auto it = begin; it != end; ++it) tags.push_back(it->second);
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b&c"}));
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("e")->second, "");
  EXPECT_EQ(q.find("")->second, "v");
}

TEST(UrlTest, DropsFragment) {
  Result<Target> target = parse_target("/a/b?x=1#frag?y=2");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/a/b");
  EXPECT_EQ(target->query.size(), 1u);
}

TEST(UrlTest, RejectsMalformedEscapes) {
  for (const char* bad : {"/a%", "/a%4", "/a%zz", "/a%4g", "/x?q=%", "/x?q=%G1", "/x?%2=1"}) {
    Result<Target> target = parse_target(bad);
    ASSERT_FALSE(target.ok()) << bad;
    EXPECT_EQ(target.error().code, ErrorCode::kBadRequest) << bad;
  }
}

TEST(UrlTest, RejectsNulInPathAndNonOriginTargets) {
  EXPECT_FALSE(parse_target("/a%00b").ok());
  EXPECT_FALSE(parse_target("").ok());
  EXPECT_FALSE(parse_target("http://example.com/").ok());
  EXPECT_FALSE(parse_target("*").ok());
}

TEST(UrlTest, PercentDecodeUpperAndLowerHex) {
  EXPECT_EQ(*percent_decode("%2f%2F%41", false), "//A");
  EXPECT_EQ(*percent_decode("a+b", true), "a b");
  EXPECT_EQ(*percent_decode("a+b", false), "a+b");
}

}  // namespace
}  // namespace relais::http
