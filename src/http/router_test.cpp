#include "http/router.hpp"

#include <gtest/gtest.h>

namespace relais::http {
namespace {

Request make_request(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

Handler answer(std::string text) {
  return [text](Request&) { return Response::json(200, Json{{"route", text}}); };
}

std::string route_of(const Response& response) {
  return Json::parse(response.body).value("route", std::string());
}

TEST(RouterTest, MatchesLiteralAndParamSegments) {
  Router router;
  router.add("GET", "/api/v1/contacts", answer("list"));
  router.add("GET", "/api/v1/contacts/{id}/timeline", answer("timeline"));
  Request request = make_request("GET", "/api/v1/contacts/42/timeline");
  Response response = router.dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(route_of(response), "timeline");
  EXPECT_EQ(request.path_params.at("id"), "42");

  Request list = make_request("GET", "/api/v1/contacts");
  EXPECT_EQ(route_of(router.dispatch(list)), "list");
}

TEST(RouterTest, LiteralSegmentBeatsParameter) {
  Router router;
  router.add("POST", "/api/v1/contacts/{id}", answer("param"));
  router.add("POST", "/api/v1/contacts/merge", answer("merge"));
  Request request = make_request("POST", "/api/v1/contacts/merge");
  EXPECT_EQ(route_of(router.dispatch(request)), "merge");
  Request other = make_request("POST", "/api/v1/contacts/7");
  EXPECT_EQ(route_of(router.dispatch(other)), "param");
}

TEST(RouterTest, UnknownPathIsNotFoundJson) {
  Router router;
  router.add("GET", "/api/v1/contacts/{id}", answer("get"));
  for (const char* path : {"/api/v1/deals", "/api/v1/contacts/", "/api/v1/contacts/1/x", "/"}) {
    Request request = make_request("GET", path);
    Response response = router.dispatch(request);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(Json::parse(response.body)["error"]["code"], "not_found") << path;
  }
}

TEST(RouterTest, OtherMethodIs405WithAllowHeader) {
  Router router;
  router.add("GET", "/api/v1/contacts/{id}", answer("get"));
  router.add("PATCH", "/api/v1/contacts/{id}", answer("patch"));
  router.add("DELETE", "/api/v1/contacts/{id}", answer("delete"));
  Request request = make_request("PUT", "/api/v1/contacts/3");
  Response response = router.dispatch(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(Json::parse(response.body)["error"]["code"], "method_not_allowed");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "DELETE, GET, PATCH");
}

TEST(RouterTest, MatchReportsHandlerOrAllowedMethods) {
  Router router;
  router.add("GET", "/a/{x}", answer("a"));
  Request hit = make_request("GET", "/a/1");
  EXPECT_NE(router.match(hit).handler, nullptr);
  Request miss = make_request("POST", "/a/1");
  Router::Match match = router.match(miss);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.allowed_methods, std::vector<std::string>{"GET"});
}

TEST(RouterTest, RejectsPatternWithoutLeadingSlash) {
  Router router;
  EXPECT_THROW(router.add("GET", "api", answer("x")), std::invalid_argument);
}

}  // namespace
}  // namespace relais::http
