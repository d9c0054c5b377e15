// Storage contract (see store_contract.hpp) for API tokens: ids, listing, and the parent
// links that make revoking a token revoke every token minted from it, on every engine.
#include <gtest/gtest.h>

#include <set>

#include "storage/store_contract.hpp"

namespace relais::storage::testing {
namespace {

using domain::SessionRecord;
using domain::Transaction;

std::int64_t add_user(domain::Store& store, const std::string& email) {
  auto created = store.write([&](Transaction& tx) {
    return tx.insert(domain::user_schema(), Json{{"email", email}, {"role", "sales"}});
  });
  EXPECT_TRUE(created.ok());
  return created.ok() ? created.value()["id"].get<std::int64_t>() : 0;
}

SessionRecord token_of(std::int64_t user, std::string scopes, std::string parent = {}) {
  SessionRecord s{user, "api_token", 0, "", "ci"};
  s.scopes = std::move(scopes);
  s.parent_token_hash = std::move(parent);
  return s;
}

// Which of `hashes` still resolve.
Json alive(domain::Store& store, const std::vector<std::string>& hashes) {
  auto out = store.read([&](Transaction& tx) -> Result<Json> {
    Json found = Json::object();
    for (const auto& h : hashes) found[h] = tx.find_session(h).has_value();
    return found;
  });
  EXPECT_TRUE(out.ok());
  return out.ok() ? out.value() : Json();
}

TEST_P(StoreContractTest, ApiTokensHaveIdsScopesAndParents) {
  const std::int64_t user = add_user(*store_, "t@x.fr");
  const Json ids = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(std::int64_t root, tx.insert_api_token("root", token_of(user, "")));
    RELAIS_ASSIGN_OR_RETURN(std::int64_t child,
                            tx.insert_api_token("child", token_of(user, "read", "root")));
    return Json{{"root", root}, {"child", child}};
  });
  EXPECT_GT(ids["child"].get<std::int64_t>(), ids["root"].get<std::int64_t>());
  const Json got = read([&](Transaction& tx) -> Result<Json> {
    const auto child = tx.find_api_token(ids["child"].get<std::int64_t>());
    const auto session = tx.find_session("child");
    if (!child || !session) return Error::not_found("token missing");
    Json listed = Json::array();
    for (const auto& t : tx.list_api_tokens(user)) listed.push_back(t.id);
    return Json{{"user", child->user_id},
                {"name", child->name},
                {"scopes", child->scopes},
                {"parent", child->parent_id.value_or(-1)},
                {"hash", child->token_hash},
                {"created", child->created_at.size()},
                {"session_scopes", session->scopes},
                {"session_parent", session->parent_token_hash},
                {"root_scopes", tx.find_session("root")->scopes},
                {"listed", listed},
                {"missing", tx.find_api_token(999999).has_value()}};
  });
  EXPECT_EQ(got["user"], user);
  EXPECT_EQ(got["name"], "ci");
  EXPECT_EQ(got["scopes"], "read");
  EXPECT_EQ(got["parent"], ids["root"]);
  EXPECT_EQ(got["hash"], "child");
  EXPECT_EQ(got["created"], 24u);  // the stamp form
  EXPECT_EQ(got["session_scopes"], "read");
  EXPECT_EQ(got["session_parent"], "root");
  EXPECT_EQ(got["root_scopes"], "");                                   // empty = every scope
  EXPECT_EQ(got["listed"], Json::array({ids["child"], ids["root"]}));  // newest first
  EXPECT_EQ(got["missing"], false);

  // A parent that does not exist is refused, and nothing is written.
  auto orphan = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_api_token("orphan", token_of(user, "read", "no-such-token")));
    return Json();
  });
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(alive(*store_, {"orphan"})["orphan"], false);
}

TEST_P(StoreContractTest, DeletingATokenDeletesItsDescendantsByEveryPath) {
  const std::int64_t user = add_user(*store_, "tree@x.fr");
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_session("login", {user, "session", 0, "csrf", ""}));
    for (const char* root : {"a", "b", "c"})
      RELAIS_TRY(tx.insert_api_token(root, token_of(user, "")));
    for (const char* root : {"a", "b", "c"}) {
      const std::string child = std::string(root) + "1";
      RELAIS_TRY(tx.insert_api_token(child, token_of(user, "", root)));
      RELAIS_TRY(tx.insert_api_token(child + "1", token_of(user, "", child)));
    }
    RELAIS_TRY(tx.insert_api_token("a2", token_of(user, "", "a")));
    return Json();
  });
  // delete_token_tree names what it deleted.
  const Json tree = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto hashes, tx.delete_token_tree("a"));
    RELAIS_ASSIGN_OR_RETURN(auto none, tx.delete_token_tree("a"));
    return Json{{"deleted", std::set<std::string>(hashes.begin(), hashes.end())},
                {"again", none.size()}};
  });
  EXPECT_EQ(tree["deleted"], Json({"a", "a1", "a11", "a2"}));
  EXPECT_EQ(tree["again"], 0u);
  // delete_session (logout) takes the descendants too.
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.delete_session("b1"));
    return Json();
  });
  EXPECT_EQ(alive(*store_, {"a1", "a11", "b", "b1", "b11", "c", "c1", "c11", "login"}),
            (Json{{"a1", false},
                  {"a11", false},
                  {"b", true},
                  {"b1", false},
                  {"b11", false},
                  {"c", true},
                  {"c1", true},
                  {"c11", true},
                  {"login", true}}));
  // delete_sessions_of_user keeps the excepted token even when its parent goes (and only it:
  // its own children are other tokens).
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.delete_sessions_of_user(user, "c1"));
    return Json();
  });
  EXPECT_EQ(alive(*store_, {"b", "c", "c1", "c11", "login"}),
            (Json{{"b", false}, {"c", false}, {"c1", true}, {"c11", false}, {"login", false}}));
  const Json listed = read([&](Transaction& tx) -> Result<Json> {
    Json out = Json::array();
    for (const auto& t : tx.list_api_tokens(user)) out.push_back(t.token_hash);
    return out;
  });
  EXPECT_EQ(listed, Json::array({"c1"}));
}

TEST_P(StoreContractTest, ExpiredApiTokensOfOneUserArePurged) {
  const std::int64_t a = add_user(*store_, "exp-a@x.fr");
  const std::int64_t b = add_user(*store_, "exp-b@x.fr");
  const Json purged = write([&](Transaction& tx) -> Result<Json> {
    SessionRecord old = token_of(a, "read");
    old.expires_at_ms = 1000;
    SessionRecord later = token_of(a, "read");
    later.expires_at_ms = 5000;
    SessionRecord other = token_of(b, "read");
    other.expires_at_ms = 1000;
    RELAIS_TRY(tx.insert_api_token("old", old));
    RELAIS_TRY(tx.insert_api_token("later", later));
    RELAIS_TRY(tx.insert_api_token("never", token_of(a, "read")));
    RELAIS_TRY(tx.insert_api_token("other", other));
    RELAIS_TRY(tx.insert_session("session", {a, "session", 1000, "c", ""}));
    RELAIS_ASSIGN_OR_RETURN(int n, tx.delete_expired_api_tokens(a, 2000));
    return Json(n);
  });
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(
      alive(*store_, {"old", "later", "never", "other", "session"}),
      (Json{{"old", false}, {"later", true}, {"never", true}, {"other", true}, {"session", true}}));
}

}  // namespace
}  // namespace relais::storage::testing
