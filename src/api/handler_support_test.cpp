// Request parsing helpers: no Services needed.
#include "api/handler_support.hpp"

#include <gtest/gtest.h>

#include "api/iso_time.hpp"
#include "api/json_input.hpp"
#include "domain/records/values.hpp"

namespace relais::api {
namespace {

http::Request json_request(std::string body, std::string content_type = "application/json") {
  http::Request request;
  request.method = "POST";
  request.path = "/api/v1/contacts";
  if (!content_type.empty()) request.headers["content-type"] = std::move(content_type);
  request.body = std::move(body);
  return request;
}

TEST(ParseJsonObject, AcceptsAnObjectWithCharset) {
  auto parsed = parse_json_object(json_request(R"({"a": "é"})", "Application/JSON; charset=utf-8"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ((*parsed)["a"], "é");
}

TEST(ParseJsonObject, WrongOrMissingContentTypeIs415) {
  for (const char* type : {"text/plain", "", "application/jsonx", "multipart/form-data"}) {
    auto parsed = parse_json_object(json_request("{}", type));
    ASSERT_FALSE(parsed.ok()) << type;
    EXPECT_EQ(parsed.error().code, ErrorCode::kUnsupportedMediaType) << type;
  }
}

TEST(ParseJsonObject, MalformedJsonIs400WithPosition) {
  auto parsed = parse_json_object(json_request(R"({"a": tru})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
  ASSERT_TRUE(parsed.error().details.contains("position"));
  EXPECT_GE(parsed.error().details["position"].get<int>(), 6);
  EXPECT_EQ(parsed.error().message.find("[json.exception"), std::string::npos);
}

TEST(ParseJsonObject, NumbersBeyondDoubleRangeAre400) {
  for (const char* body : {R"({"a": 1e400})", R"({"a": -1e400})", R"({"b": [1, 2e999]})"}) {
    auto parsed = parse_json_object(json_request(body));
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest) << body;
    EXPECT_NE(parsed.error().message.find("out of range"), std::string::npos) << body;
    EXPECT_EQ(parsed.error().message.find("[json.exception"), std::string::npos) << body;
  }
  // Large but representable numbers still parse; the schema decides whether they fit.
  EXPECT_TRUE(parse_json_object(json_request(R"({"a": 1e300, "b": 100000000000000000000})")).ok());
}

TEST(ParseJsonObject, EmptyBodyAndNonObjectsAre400) {
  for (const char* body : {"", "  ", "[]", "1", "\"x\"", "null"}) {
    auto parsed = parse_json_object(json_request(body));
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest) << body;
  }
}

TEST(ParseJsonObject, InvalidUtf8Is400WithItsOffset) {
  auto parsed = parse_json_object(json_request("{\"a\": \"x\xC3\x28\"}"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(parsed.error().details["position"], 8);
  EXPECT_NE(parsed.error().message.find("UTF-8"), std::string::npos);
}

TEST(ParseJsonObject, DeepNestingIsRefused) {
  std::string body = "{\"a\": " + std::string(1000, '[') + std::string(1000, ']') + "}";
  auto parsed = parse_json_object(json_request(body));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
  // Brackets inside strings do not count.
  auto fine = parse_json_object(json_request("{\"a\": \"" + std::string(1000, '[') + "\"}"));
  EXPECT_TRUE(fine.ok());
}

TEST(Utf8, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_FALSE(find_invalid_utf8("plain ascii, é, 漢, 🙂").has_value());
  EXPECT_EQ(find_invalid_utf8("ab\xC0\xAF"), 2u);         // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);       // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("x\xF4\x90\x80\x80"), 1u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("xy\xE2\x82"), 2u);         // truncated
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u);               // stray continuation
}

TEST(ParseListRequest, DefaultsAndLimits) {
  http::Request request;
  auto list = parse_list_request(request);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->limit, 50);
  request.query = {
      {"limit", "500"}, {"q", "hél"}, {"sort", "-city"}, {"filter", "a = 1"}, {"cursor", "c"}};
  list = parse_list_request(request);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->limit, 500);
  EXPECT_EQ(list->q, "hél");
  EXPECT_EQ(list->sort, "-city");
  EXPECT_EQ(list->filter, "a = 1");
  EXPECT_EQ(list->cursor, "c");
  for (const char* bad : {"0", "501", "-5", "+5", "abc", "", "10x", "99999999999999999999"}) {
    request.query = {{"limit", bad}};
    auto rejected = parse_list_request(request);
    ASSERT_FALSE(rejected.ok()) << bad;
    EXPECT_EQ(rejected.error().code, ErrorCode::kBadRequest) << bad;
  }
}

TEST(ParseListRequest, InvalidUtf8InParametersIs400) {
  http::Request request;
  request.query = {{"q", "h\xE9l"}};
  auto list = parse_list_request(request);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ErrorCode::kBadRequest);
  request.query = {{"filter", "city = \"\xFF\""}};
  EXPECT_FALSE(parse_list_request(request).ok());
}

TEST(ParseId, OnlyPositiveIntegers) {
  EXPECT_EQ(parse_id("42").value(), 42);
  for (const char* bad : {"0", "-1", "+1", "1a", "", "abc", "99999999999999999999"}) {
    auto id = parse_id(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.error().code, ErrorCode::kNotFound) << bad;
  }
}

TEST(ParseIfMatch, QuotedWeakBareAndAbsent) {
  http::Request request;
  EXPECT_FALSE(parse_if_match(request).value().has_value());
  request.headers["if-match"] = "\"3\"";
  EXPECT_EQ(parse_if_match(request).value(), 3);
  request.headers["if-match"] = "W/\"4\"";
  EXPECT_EQ(parse_if_match(request).value(), 4);
  request.headers["if-match"] = "5";
  EXPECT_EQ(parse_if_match(request).value(), 5);
  request.headers["if-match"] = "*";
  EXPECT_FALSE(parse_if_match(request).value().has_value());
  request.headers["if-match"] = "\"abc\"";
  auto bad = parse_if_match(request);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
}

TEST(RejectUnknownFields, NamesEveryUnknownMember) {
  auto result = reject_unknown_fields(Json{{"a", 1}, {"b", 2}, {"c", 3}}, {"a"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(result.error().fields.size(), 2u);
  EXPECT_TRUE(result.error().fields.count("b") && result.error().fields.count("c"));
  EXPECT_TRUE(reject_unknown_fields(Json{{"a", 1}}, {"a", "b"}).ok());
}

TEST(IsoTime, RoundTripsAndParsesOffsets) {
  EXPECT_EQ(parse_iso8601(domain::format_epoch_ms(1795617000123)), 1795617000123);
  EXPECT_EQ(parse_iso8601(domain::format_epoch_ms(0)), 0);
  EXPECT_EQ(parse_iso8601("2026-11-25T14:30:00.123Z"), 1795617000123);
  EXPECT_EQ(parse_iso8601("2026-11-25T15:30:00+01:00"), 1795617000000);
  EXPECT_EQ(parse_iso8601("2026-11-25T14:30:00.5Z"), 1795617000500);
  for (const char* bad : {"2026-11-25", "2026-11-25T14:30:00", "2026-02-30T00:00:00Z",
                          "2026-11-25T24:00:00Z", "tomorrow", "2026-11-25T14:30:00Zjunk"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace relais::api
