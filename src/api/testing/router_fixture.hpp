// Test support for API tests: every route registered on a Router over real domain services and
// a real SQLite store in a temporary directory; requests are dispatched in-process.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "api/routes.hpp"
#include "domain/services.hpp"
#include "http/router.hpp"
#include "storage/testing/temp_database.hpp"

namespace relais::api::testing {

class RouterFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<storage::testing::TempDatabase>("relais-api");
    services_ = std::make_unique<domain::Services>(db_->store());
    register_routes(router_, *services_, ApiOptions{});
  }

  void TearDown() override {
    router_ = http::Router{};
    services_.reset();
    db_.reset();
  }

  void add_user(const std::string& email, const std::string& role, const std::string& password) {
    auto user = services_->auth.create_user(domain::Actor::system(),
                                            Json{{"email", email}, {"role", role}}, password);
    ASSERT_TRUE(user.ok()) << user.error().message;
  }

  // A JSON body gets its content type unless the headers name one.
  http::Response call(std::string method, std::string path, std::string body = {},
                      std::map<std::string, std::string> headers = {},
                      std::multimap<std::string, std::string> query = {}) {
    http::Request request;
    request.method = std::move(method);
    request.path = path;
    request.target = std::move(path);
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.query = std::move(query);
    request.remote_address = "127.0.0.1";
    if (!request.body.empty() && !request.headers.count("content-type")) {
      request.headers["content-type"] = "application/json";
    }
    return router_.dispatch(request);
  }

  static Json body_of(const http::Response& response) { return Json::parse(response.body); }

  std::unique_ptr<storage::testing::TempDatabase> db_;
  std::unique_ptr<domain::Services> services_;
  http::Router router_;
};

}  // namespace relais::api::testing
