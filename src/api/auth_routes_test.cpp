// PATCH /api/v1/auth/me and POST /api/v1/auth/password on the real stack (Services over a
// temporary SQLite store, the real Router), requests dispatched directly without sockets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "api/openapi.hpp"
#include "api/routes.hpp"
#include "api/testing/router_fixture.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::api {
namespace {

constexpr const char* kPassword = "a long enough password";

class SelfServiceRoutesTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    RouterFixture::SetUp();
    add_user("sales@t.test", "sales", kPassword);
  }

  Json login(const std::string& password = kPassword) {
    auto response = call("POST", "/api/v1/auth/login",
                         Json{{"email", "sales@t.test"}, {"password", password}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return body_of(response);
  }

  std::map<std::string, std::string> bearer() {
    return {{"authorization", "Bearer " + login()["token"].get<std::string>()}};
  }
};

TEST_F(SelfServiceRoutesTest, SalesUserPatchesOwnProfile) {
  const auto auth = bearer();
  auto patched =
      call("PATCH", "/api/v1/auth/me",
           Json{{"locale", "en"}, {"name", "Sam"}, {"time_zone", "Europe/Brussels"}}.dump(), auth);
  ASSERT_EQ(patched.status, 200) << patched.body;
  const Json body = body_of(patched);
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body["user"]["locale"], "en");
  EXPECT_EQ(body["user"]["name"], "Sam");
  EXPECT_EQ(body["user"]["time_zone"], "Europe/Brussels");
  EXPECT_EQ(body_of(call("GET", "/api/v1/auth/me", {}, auth))["user"]["locale"], "en");
  EXPECT_EQ(login()["user"]["locale"], "en");
}

TEST_F(SelfServiceRoutesTest, ProfileRejectsUnknownAndAdminOnlyFields) {
  const auto auth = bearer();
  auto role = call("PATCH", "/api/v1/auth/me", Json{{"role", "admin"}}.dump(), auth);
  EXPECT_EQ(role.status, 422) << role.body;
  EXPECT_EQ(body_of(role)["error"]["code"], "validation_failed");
  EXPECT_TRUE(body_of(role)["error"]["fields"].contains("role"));
  auto nope = call("PATCH", "/api/v1/auth/me", Json{{"nope", 1}}.dump(), auth);
  EXPECT_EQ(nope.status, 422);
  EXPECT_TRUE(body_of(nope)["error"]["fields"].contains("nope"));
  auto locale = call("PATCH", "/api/v1/auth/me", Json{{"locale", "xx"}}.dump(), auth);
  EXPECT_EQ(locale.status, 422);
  EXPECT_EQ(call("PATCH", "/api/v1/auth/me", "[1]", auth).status, 400);
  EXPECT_EQ(call("PATCH", "/api/v1/auth/me", Json{{"locale", "en"}}.dump()).status, 401);
  EXPECT_EQ(body_of(call("GET", "/api/v1/auth/me", {}, auth))["user"]["role"], "sales");
}

TEST_F(SelfServiceRoutesTest, CookieOnlyLoginLeavesTheTokenOutOfTheBody) {
  auto response =
      call("POST", "/api/v1/auth/login",
           Json{{"email", "sales@t.test"}, {"password", kPassword}, {"session", "cookie"}}.dump());
  ASSERT_EQ(response.status, 200) << response.body;
  const Json body = body_of(response);
  EXPECT_FALSE(body.contains("token"));
  std::string cookie;
  for (const auto& [name, value] : response.headers) {
    if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
  }
  ASSERT_EQ(cookie.rfind("relais_session=", 0), 0u) << cookie;
  const std::string token = cookie.substr(cookie.find('=') + 1);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(response.body.find(token), std::string::npos);
  auto me = call("GET", "/api/v1/auth/me", {}, {{"cookie", cookie}});
  EXPECT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body_of(me)["csrf_token"], body["csrf_token"]);
  // Unknown modes are a field error.
  auto bad =
      call("POST", "/api/v1/auth/login",
           Json{{"email", "sales@t.test"}, {"password", kPassword}, {"session", true}}.dump());
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(body_of(bad)["error"]["fields"].contains("session"));
}

TEST_F(SelfServiceRoutesTest, CookieSessionsNeedCsrfForBothWrites) {
  const Json session = login();
  const std::string cookie = "relais_session=" + session["token"].get<std::string>();
  const std::string profile = Json{{"locale", "en"}}.dump();
  const std::string password =
      Json{{"current_password", kPassword}, {"new_password", "another long one"}}.dump();
  EXPECT_EQ(call("PATCH", "/api/v1/auth/me", profile, {{"cookie", cookie}}).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/auth/password", password, {{"cookie", cookie}}).status, 403);
  const std::map<std::string, std::string> with_csrf = {
      {"cookie", cookie}, {"x-csrf-token", session["csrf_token"].get<std::string>()}};
  EXPECT_EQ(call("PATCH", "/api/v1/auth/me", profile, with_csrf).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/auth/password", password, with_csrf).status, 204);
}

TEST_F(SelfServiceRoutesTest, ChangePassword) {
  const auto auth = bearer();
  auto wrong =
      call("POST", "/api/v1/auth/password",
           Json{{"current_password", "wrong"}, {"new_password", "new password!"}}.dump(), auth);
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_TRUE(body_of(wrong)["error"]["fields"].contains("current_password"));
  auto missing =
      call("POST", "/api/v1/auth/password", Json{{"current_password", kPassword}}.dump(), auth);
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(body_of(missing)["error"]["fields"].contains("new_password"));
  auto extra = call(
      "POST", "/api/v1/auth/password",
      Json{{"current_password", kPassword}, {"new_password", "new password!"}, {"confirm", "x"}}
          .dump(),
      auth);
  EXPECT_EQ(extra.status, 422);
  EXPECT_TRUE(body_of(extra)["error"]["fields"].contains("confirm"));
  auto short_one =
      call("POST", "/api/v1/auth/password",
           Json{{"current_password", kPassword}, {"new_password", "short"}}.dump(), auth);
  EXPECT_EQ(short_one.status, 422);

  auto ok =
      call("POST", "/api/v1/auth/password",
           Json{{"current_password", kPassword}, {"new_password", "new password!"}}.dump(), auth);
  EXPECT_EQ(ok.status, 204) << ok.body;
  EXPECT_TRUE(ok.body.empty());
  EXPECT_EQ(call("POST", "/api/v1/auth/login",
                 Json{{"email", "sales@t.test"}, {"password", kPassword}}.dump())
                .status,
            401);
  login("new password!");
}

TEST_F(SelfServiceRoutesTest, OpenApiDescribesTheSelfServiceRoutes) {
  const Json& spec = openapi_document();
  const Json& me = spec["paths"]["/api/v1/auth/me"];
  ASSERT_TRUE(me.contains("patch"));
  EXPECT_TRUE(me["patch"]["responses"].contains("200"));
  EXPECT_TRUE(me["patch"]["responses"].contains("422"));
  const Json& password = spec["paths"]["/api/v1/auth/password"];
  ASSERT_TRUE(password.contains("post"));
  EXPECT_TRUE(password["post"]["responses"].contains("204"));
  EXPECT_TRUE(password["post"]["responses"].contains("422"));
  const Json& profile = spec["components"]["schemas"]["ProfileUpdate"]["properties"];
  EXPECT_EQ(profile.size(), 3u);
  EXPECT_EQ(profile["locale"]["enum"], Json::array({"fr", "en", nullptr}));
}

}  // namespace
}  // namespace relais::api
