#include "storage/common/record_text.hpp"

#include <gtest/gtest.h>

#include "common/result.hpp"

namespace relais::storage {
namespace {

std::string written(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(RecordTextTest, StringsAreEscapedExactlyAsNlohmannDumpsThem) {
  std::vector<std::string> samples = {"",
                                      "plain",
                                      "quote \" backslash \\ slash /",
                                      "\b\f\n\r\t",
                                      "Hélène Ünïcødé ß € 😀",
                                      "del \x7f stays",
                                      std::string("nul \0 inside", 12)};
  for (int c = 0; c < 0x20; ++c) samples.emplace_back(1, static_cast<char>(c));
  for (const auto& text : samples) {
    EXPECT_EQ(written(text), Json(text).dump()) << Json(text).dump();
  }
}

TEST(RecordTextTest, InvalidUtf8IsReplacedAndTheOutputStaysJson) {
  const std::vector<std::string> broken = {"\xff",
                                           "a\xc3",
                                           "\xc3(",
                                           "\xe2\x82",
                                           "\xed\xa0\x80" /* a surrogate */,
                                           "\xc0\xaf" /* overlong */,
                                           "\xf4\x90\x80\x80" /* above U+10FFFF */,
                                           "ok\xe2\x82zz"};
  for (const auto& text : broken) {
    const std::string out = written(text);
    const Json parsed = Json::parse(out, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << out;
    EXPECT_NE(parsed.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << out;
  }
  EXPECT_EQ(Json::parse(written("ok\xe2\x82zz")).get<std::string>(), "ok\xEF\xBF\xBDzz");
}

TEST(RecordTextTest, ValuesAreWrittenByTheirColumnKind) {
  using Kind = ColumnValue::Kind;
  auto value = [](ColumnText as, ColumnValue v) {
    std::string out;
    append_value(out, as, v);
    return out;
  };
  EXPECT_EQ(value(ColumnText::kString, {}), "null");
  EXPECT_EQ(value(ColumnText::kNumber, {Kind::kInteger, -9'007'199'254'740'993LL, 0, {}}),
            "-9007199254740993");
  EXPECT_EQ(value(ColumnText::kNumber, {Kind::kReal, 0, 2.5, {}}), "2.5");
  EXPECT_EQ(value(ColumnText::kBoolean, {Kind::kInteger, 1, 0, {}}), "true");
  EXPECT_EQ(value(ColumnText::kBoolean, {Kind::kInteger, 0, 0, {}}), "false");
  EXPECT_EQ(value(ColumnText::kJson, {Kind::kText, 0, 0, R"({"a": [1, 2]})"}), R"({"a": [1, 2]})");
  EXPECT_EQ(value(ColumnText::kJson, {Kind::kText, 0, 0, "{not json"}), "null");
  EXPECT_EQ(value(ColumnText::kString, {Kind::kInteger, 42, 0, {}}), "\"42\"");
}

}  // namespace
}  // namespace relais::storage
