#include "http/request.hpp"

#include <gtest/gtest.h>

namespace relais::http {
namespace {

TEST(RequestTest, CookieParsing) {
  Request request;
  request.headers["cookie"] = "theme=dark;  relais_session=abc.def ; quoted=\"x y\"; empty=; flag";
  EXPECT_EQ(request.cookie("relais_session"), "abc.def");
  EXPECT_EQ(request.cookie("theme"), "dark");
  EXPECT_EQ(request.cookie("quoted"), "x y");
  EXPECT_EQ(request.cookie("empty"), "");
  EXPECT_EQ(request.cookie("flag"), std::nullopt);
  EXPECT_EQ(request.cookie("missing"), std::nullopt);
  EXPECT_EQ(request.cookie("relais"), std::nullopt);  // no prefix match
}

TEST(RequestTest, CookieFirstOccurrenceWinsAndNoHeader) {
  Request request;
  EXPECT_EQ(request.cookie("a"), std::nullopt);
  request.headers["cookie"] = "a=1; a=2";
  EXPECT_EQ(request.cookie("a"), "1");
}

TEST(RequestTest, HeaderAndQueryParam) {
  Request request;
  request.headers["content-type"] = "application/json";
  request.query.emplace("limit", "10");
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("accept"), "");
  EXPECT_EQ(request.query_param("limit"), "10");
  EXPECT_EQ(request.query_param("cursor"), std::nullopt);
}

TEST(ResponseTest, ErrorUsesStatusMappingAndBody) {
  Response response = Response::error(Error::validation("bad", {{"email", "invalid"}}));
  EXPECT_EQ(response.status, 422);
  Json body = Json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "validation_failed");
  EXPECT_EQ(body["error"]["fields"]["email"], "invalid");
  EXPECT_EQ(response.content_type, "application/json");
}

TEST(ResponseTest, StatusMapping) {
  EXPECT_EQ(status_for(ErrorCode::kBadRequest), 400);
  EXPECT_EQ(status_for(ErrorCode::kValidationFailed), 422);
  EXPECT_EQ(status_for(ErrorCode::kUnauthorized), 401);
  EXPECT_EQ(status_for(ErrorCode::kForbidden), 403);
  EXPECT_EQ(status_for(ErrorCode::kNotFound), 404);
  EXPECT_EQ(status_for(ErrorCode::kConflict), 409);
  EXPECT_EQ(status_for(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(status_for(ErrorCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(status_for(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(status_for(ErrorCode::kInternal), 500);
}

TEST(ResponseTest, SetHeaderReplacesCaseInsensitively) {
  Response response;
  response.set_header("ETag", "\"1\"");
  response.set_header("etag", "\"2\"");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "\"2\"");
  Response empty = Response::no_content();
  EXPECT_EQ(empty.status, 204);
  EXPECT_TRUE(empty.body.empty());
}

TEST(ResponseTest, JsonReplacesInvalidUtf8InsteadOfThrowing) {
  Response response = Response::json(200, Json{{"name", std::string("a\xff")}});
  EXPECT_EQ(response.status, 200);
  Json parsed = Json::parse(response.body);
  EXPECT_EQ(parsed["name"].get<std::string>().substr(0, 1), "a");
}

}  // namespace
}  // namespace relais::http
