// Test support for domain tests: the Services on a real SQLite store in a temporary directory
// (storage::testing::TempDatabase), with the helpers every such fixture needs. Test fixtures
// derive from it and call ServicesFixture::SetUp() first when they add their own set-up.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "domain/services.hpp"
#include "storage/testing/temp_database.hpp"

namespace relais::domain::testing {

class ServicesFixture : public ::testing::Test {
 protected:
  static constexpr const char* kPassword = "motdepasse-solide";

  void SetUp() override {
    db_ = std::make_unique<storage::testing::TempDatabase>("relais-domain");
    services_ = std::make_unique<Services>(db_->store());
  }

  void TearDown() override {
    services_.reset();
    db_.reset();
  }

  // The value of an expected success; fails the test (and throws) on an error.
  template <class T>
  static T must(Result<T> r) {
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_json().dump());
    if (!r.ok()) throw std::runtime_error("unexpected error");
    return std::move(r).value();
  }

  // A user with password kPassword, and the Actor it acts as.
  Actor make_user(const std::string& email, Role role, std::optional<std::int64_t> team = {}) {
    Json body = {{"email", email}, {"role", role_name(role)}};
    if (team) body["team_id"] = *team;
    Json user = must(services_->auth.create_user(Actor::system(), body, kPassword));
    return Actor{user["id"].get<std::int64_t>(), role, team, "fr"};
  }

  std::unique_ptr<storage::testing::TempDatabase> db_;
  std::unique_ptr<Services> services_;
};

// Two teams, Lyon and Paris, with one sales user in each: the set-up of every permission test.
class TwoTeamsFixture : public ServicesFixture {
 protected:
  void SetUp() override {
    ServicesFixture::SetUp();
    const Actor sys = Actor::system();
    lyon_ = must(services_->teams.create(sys, {{"name", "Lyon"}}))["id"].get<std::int64_t>();
    paris_ = must(services_->teams.create(sys, {{"name", "Paris"}}))["id"].get<std::int64_t>();
    alice_ = make_user("alice@example.fr", Role::kSales, lyon_);
    bob_ = make_user("bob@example.fr", Role::kSales, paris_);
  }

  // A one-stage pipeline, for deals.
  std::int64_t make_pipeline() {
    Json stages = Json::array({{{"id", "new"}, {"name", "New"}, {"probability", 10}}});
    return must(services_->pipelines.create(Actor::system(),
                                            {{"name", "P"}, {"stages", stages}}))["id"]
        .get<std::int64_t>();
  }

  std::int64_t lyon_ = 0;
  std::int64_t paris_ = 0;
  Actor alice_;  // sales, Lyon
  Actor bob_;    // sales, Paris
};

}  // namespace relais::domain::testing
