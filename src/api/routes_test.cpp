// Handler-level tests on the real stack: Services over a temporary SQLite store, the real
// Router, http::Request values dispatched directly (no sockets).
#include "api/routes.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>

#include "api/openapi.hpp"
#include "api/testing/router_fixture.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::api {
namespace {

constexpr const char* kPassword = "a long enough password";

// "custom_field" -> "CustomField": the component names of openapi.json.
std::string component_name_for_test(const std::string& snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out;
}

class RoutesTest : public testing::RouterFixture {
 protected:
  void SetUp() override {
    RouterFixture::SetUp();
    register_import_export_routes(router_, *services_);  // wired separately by `relais serve`
    add_user("admin@t.test", "admin", kPassword);
    add_user("sales@t.test", "sales", kPassword);
    add_user("ro@t.test", "readonly", kPassword);
  }

  static std::string header_of(const http::Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }

  Json login(const std::string& email) {
    auto response =
        call("POST", "/api/v1/auth/login", Json{{"email", email}, {"password", kPassword}}.dump());
    EXPECT_EQ(response.status, 200) << response.body;
    return body_of(response);
  }

  std::map<std::string, std::string> bearer(const std::string& email) {
    return {{"authorization", "Bearer " + login(email)["token"].get<std::string>()}};
  }
};

TEST_F(RoutesTest, EveryRecordRouteRequiresAuthentication) {
  for (const char* path :
       {"/api/v1/contacts", "/api/v1/contacts/1", "/api/v1/deals", "/api/v1/auth/me",
        "/api/v1/contacts/1/timeline", "/api/v1/companies/1/contacts"}) {
    auto response = call("GET", path);
    EXPECT_EQ(response.status, 401) << path;
    EXPECT_EQ(body_of(response)["error"]["code"], "unauthorized") << path;
  }
  auto response = call("GET", "/api/v1/contacts", {}, {{"authorization", "Bearer nope"}});
  EXPECT_EQ(response.status, 401);
}

TEST_F(RoutesTest, LoginSetsAnHttpOnlyCookieAndBadPasswordIsGeneric) {
  auto ok = call("POST", "/api/v1/auth/login",
                 Json{{"email", "sales@t.test"}, {"password", kPassword}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  const Json body = body_of(ok);
  const std::string cookie = header_of(ok, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("relais_session=" + body["token"].get<std::string>() + ";", 0), 0u);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(body["user"]["email"], "sales@t.test");

  auto wrong = call("POST", "/api/v1/auth/login",
                    Json{{"email", "sales@t.test"}, {"password", "wrong"}}.dump());
  auto unknown = call("POST", "/api/v1/auth/login",
                      Json{{"email", "who@t.test"}, {"password", "wrong"}}.dump());
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(body_of(wrong)["error"]["message"], body_of(unknown)["error"]["message"]);
}

TEST_F(RoutesTest, CookieWritesNeedTheCsrfToken) {
  const Json session = login("sales@t.test");
  const std::string cookie = "relais_session=" + session["token"].get<std::string>();
  const std::string contact = Json{{"first_name", "Ada"}}.dump();

  EXPECT_EQ(call("GET", "/api/v1/contacts", {}, {{"cookie", cookie}}).status, 200);
  auto refused = call("POST", "/api/v1/contacts", contact, {{"cookie", cookie}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body_of(refused)["error"]["message"], "missing or invalid CSRF token");
  EXPECT_EQ(
      call("POST", "/api/v1/contacts", contact, {{"cookie", cookie}, {"x-csrf-token", "not-it"}})
          .status,
      403);
  auto accepted = call("POST", "/api/v1/contacts", contact,
                       {{"cookie", cookie}, {"x-csrf-token", session["csrf_token"]}});
  EXPECT_EQ(accepted.status, 201) << accepted.body;

  auto me = call("GET", "/api/v1/auth/me", {}, {{"cookie", cookie}});
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(body_of(me)["csrf_token"], session["csrf_token"]);
}

TEST_F(RoutesTest, CreateGetPatchWithEtagsAndIfMatch) {
  const auto auth = bearer("sales@t.test");
  auto created = call("POST", "/api/v1/contacts",
                      Json{{"first_name", "Hélène"}, {"emails", {"h@ex.fr"}}}.dump(), auth);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = body_of(created)["id"].get<std::int64_t>();
  const std::string path = "/api/v1/contacts/" + std::to_string(id);
  EXPECT_EQ(header_of(created, "ETag"), "\"1\"");
  EXPECT_EQ(header_of(created, "Location"), path);

  auto got = call("GET", path, {}, auth);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(header_of(got, "ETag"), "\"1\"");

  auto headers = auth;
  headers["if-match"] = "\"1\"";
  auto patched = call("PATCH", path, Json{{"city", "Lyon"}}.dump(), headers);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(header_of(patched, "ETag"), "\"2\"");
  auto stale = call("PATCH", path, Json{{"city", "Metz"}}.dump(), headers);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(body_of(call("GET", path, {}, auth))["city"], "Lyon");

  auto deleted_stale = call("DELETE", path, {}, headers);
  EXPECT_EQ(deleted_stale.status, 409);
  headers["if-match"] = "\"2\"";
  EXPECT_EQ(call("DELETE", path, {}, headers).status, 204);
  EXPECT_EQ(call("GET", path, {}, auth).status, 404);
}

TEST_F(RoutesTest, JsonErrorsAreReportedBeforeTouchingTheService) {
  const auto auth = bearer("admin@t.test");
  auto malformed = call("POST", "/api/v1/contacts", "{\"first_name\": }", auth);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(body_of(malformed)["error"].contains("position"));
  auto headers = auth;
  headers["content-type"] = "text/plain";
  EXPECT_EQ(call("POST", "/api/v1/contacts", "{}", headers).status, 415);
  auto unknown = call("POST", "/api/v1/contacts", Json{{"nope", 1}}.dump(), auth);
  EXPECT_EQ(unknown.status, 422);
  EXPECT_TRUE(body_of(unknown)["error"]["fields"].contains("nope"));
  EXPECT_EQ(call("GET", "/api/v1/contacts", {}, auth, {{"limit", "0"}}).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/contacts/abc", {}, auth).status, 404);
}

TEST_F(RoutesTest, ReadonlyCannotWriteAndOnlyAdminCreatesUsers) {
  EXPECT_EQ(call("POST", "/api/v1/contacts", Json{{"first_name", "X"}}.dump(), bearer("ro@t.test"))
                .status,
            403);
  const std::string user = Json{{"email", "new@t.test"}, {"role", "sales"}}.dump();
  EXPECT_EQ(call("POST", "/api/v1/users", user, bearer("sales@t.test")).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/users", user, bearer("admin@t.test")).status, 201);
}

TEST_F(RoutesTest, ListsArePagesWithCursor) {
  const auto auth = bearer("admin@t.test");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(
        call("POST", "/api/v1/companies", Json{{"name", "C" + std::to_string(i)}}.dump(), auth)
            .status,
        201);
  }
  auto first = call("GET", "/api/v1/companies", {}, auth, {{"limit", "2"}});
  ASSERT_EQ(first.status, 200) << first.body;
  const Json page = body_of(first);
  ASSERT_EQ(page["data"].size(), 2u);
  ASSERT_TRUE(page["next_cursor"].is_string());
  auto second = call("GET", "/api/v1/companies", {}, auth,
                     {{"limit", "2"}, {"cursor", page["next_cursor"].get<std::string>()}});
  const Json rest = body_of(second);
  ASSERT_EQ(rest["data"].size(), 1u);
  EXPECT_TRUE(rest["next_cursor"].is_null());
}

TEST_F(RoutesTest, OpenApiIsPublicAndDescribesEveryResource) {
  auto response = call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(response.status, 200);
  const Json& spec = openapi_document();
  EXPECT_EQ(body_of(response), spec);
  for (const auto* schema : domain::all_schemas()) {
    EXPECT_TRUE(spec["paths"].contains("/api/v1/" + schema->plural)) << schema->plural;
    EXPECT_TRUE(spec["paths"].contains("/api/v1/" + schema->plural + "/{id}")) << schema->plural;
  }
  // Every $ref points at something that exists.
  std::function<void(const Json&)> check = [&](const Json& node) {
    if (node.is_object()) {
      if (auto ref = node.find("$ref"); ref != node.end()) {
        EXPECT_TRUE(spec.contains(Json::json_pointer(ref->get<std::string>().substr(1)))) << *ref;
      }
      for (const auto& [key, value] : node.items()) check(value);
    } else if (node.is_array()) {
      for (const auto& value : node) check(value);
    }
  };
  check(spec);
}

TEST_F(RoutesTest, OpenApiDescribesHealthImportAndExport) {
  const Json& spec = openapi_document();
  const Json& paths = spec["paths"];
  EXPECT_TRUE(paths.contains("/healthz"));
  EXPECT_TRUE(paths["/healthz"]["get"]["security"].empty());  // public
  ASSERT_TRUE(paths.contains("/api/v1/imports/{resource}"));
  const Json& import = paths["/api/v1/imports/{resource}"]["post"];
  EXPECT_TRUE(import["requestBody"]["content"].contains("text/csv"));
  std::set<std::string> params;
  for (const Json& p : import["parameters"]) params.insert(p["name"].get<std::string>());
  EXPECT_EQ(params, (std::set<std::string>{"resource", "dry_run", "map"}));
  for (const char* plural : {"contacts", "companies", "deals", "activities", "tasks"}) {
    const std::string path = std::string("/api/v1/") + plural + "/export.csv";
    ASSERT_TRUE(paths.contains(path)) << path;
    EXPECT_TRUE(paths[path]["get"]["responses"]["200"]["content"].contains("text/csv")) << path;
  }

  // The report schema lists exactly what the handler sends, rejected rows included.
  auto auth = bearer("admin@t.test");
  auth["content-type"] = "text/csv";
  auto response =
      call("POST", "/api/v1/imports/contacts",
           "first_name,email\nAnne,anne@t.test\nBruno,pas-un-email\n", auth, {{"dry_run", "true"}});
  ASSERT_EQ(response.status, 200) << response.body;
  const Json report = body_of(response);
  const Json& schema = spec["components"]["schemas"]["ImportReport"];
  std::set<std::string> sent, described, required;
  for (const auto& [key, value] : report.items()) sent.insert(key);
  for (const auto& [key, value] : schema["properties"].items()) described.insert(key);
  for (const Json& key : schema["required"]) required.insert(key.get<std::string>());
  EXPECT_EQ(sent, described);
  EXPECT_EQ(sent, required);
  ASSERT_EQ(report["rejected"].size(), 1u) << report;
  const Json& row_schema = spec["components"]["schemas"]["ImportRejectedRow"];
  for (const auto& [key, value] : report["rejected"][0].items()) {
    EXPECT_TRUE(row_schema["properties"].contains(key)) << key;
  }
  EXPECT_GE(report["rejected"][0]["row"].get<int>(), row_schema["properties"]["row"]["minimum"]);
}

// maxLength counts characters but the server counts bytes: the spec must not promise that a
// 600-byte string of 300 "é" fits a 500-byte field.
TEST_F(RoutesTest, OpenApiTextLimitsAreInBytesNotMaxLength) {
  const Json& schemas = openapi_document()["components"]["schemas"];
  int text_fields = 0;
  for (const auto* entity : domain::all_schemas()) {
    for (const auto& field : entity->fields) {
      if (field.type != domain::FieldType::kText && field.type != domain::FieldType::kTextList) {
        continue;
      }
      SCOPED_TRACE(entity->name + "." + field.name);
      Json s = schemas[component_name_for_test(entity->name)]["properties"][field.name];
      if (field.type == domain::FieldType::kTextList) s = s["items"];
      EXPECT_FALSE(s.contains("maxLength"));
      EXPECT_EQ(s["x-maxBytes"], field.max_length);
      EXPECT_NE(s["description"].get<std::string>().find("bytes"), std::string::npos);
      ++text_fields;
    }
  }
  EXPECT_GT(text_fields, 10);
}

}  // namespace
}  // namespace relais::api
