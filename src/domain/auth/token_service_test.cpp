// TokenService on the real SQLite store: scopes, expiry, parents, listing and revocation,
// with the session cache in front (a revoked token must fail on the very next call).
#include "domain/auth/token_service.hpp"

#include <gtest/gtest.h>

#include <string>

#include "domain/records/values.hpp"
#include "domain/services.hpp"
#include "domain/testing/services_fixture.hpp"

namespace relais::domain {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

class TokenServiceTest : public testing::ServicesFixture {
 protected:
  void SetUp() override {
    ServicesFixture::SetUp();
    admin_ = make_user("ada@example.fr", Role::kAdmin);
    sales_ = make_user("sam@example.fr", Role::kSales);
    other_ = make_user("rita@example.fr", Role::kSales);
    session_ = must(services_->auth.login("sam@example.fr", kPassword, "10.0.0.1")).token;
  }

  // Creates a token for sales_ with `caller` (a session or a token) and returns it.
  Json mint(const std::string& caller, const TokenRequest& request = TokenRequest{"script"}) {
    return must(services_->tokens.create(sales_, caller, request));
  }
  std::string secret(const Json& token) { return token["token"].get<std::string>(); }
  // Authenticates twice so that the second answer is cached: revocation must beat the cache.
  bool works(const std::string& token) {
    if (!services_->auth.authenticate(token).ok()) return false;
    return services_->auth.authenticate(token).ok();
  }
  // Rendered expiries are stamps ("2026-11-25T14:03:07.123Z"), which sort as text.
  static std::string stamp_in_days(std::int64_t days) {
    return format_epoch_ms(now_epoch_ms() + days * kDayMs);
  }

  Actor admin_, sales_, other_;
  std::string session_;
};

TEST_F(TokenServiceTest, DefaultsToBothScopesAndNinetyDays) {
  const Json token = mint(session_);
  EXPECT_EQ(secret(token).rfind("rls_", 0), 0u);
  EXPECT_EQ(token["scopes"], Json({"read", "write"}));
  EXPECT_TRUE(token["parent_id"].is_null());
  const std::string expires = token["expires_at"].get<std::string>();
  EXPECT_GT(expires, stamp_in_days(89));
  EXPECT_LT(expires, stamp_in_days(91));
  const Authenticated who = must(services_->auth.authenticate(secret(token)));
  EXPECT_EQ(who.kind, "api_token");
  EXPECT_TRUE(scopes_allow_write(who.scopes));
}

TEST_F(TokenServiceTest, ReadScopeIsRecordedAndResolved) {
  TokenRequest read{"reader", std::vector<std::string>{"read"}};
  const Json token = mint(session_, read);
  EXPECT_EQ(token["scopes"], Json({"read"}));
  const Authenticated who = must(services_->auth.authenticate(secret(token)));
  EXPECT_FALSE(scopes_allow_write(who.scopes));
  // And again from the cache.
  EXPECT_FALSE(scopes_allow_write(must(services_->auth.authenticate(secret(token))).scopes));
  // A session holds every scope.
  EXPECT_TRUE(scopes_allow_write(must(services_->auth.authenticate(session_)).scopes));
}

TEST_F(TokenServiceTest, BadScopesNamesAndExpiriesAreValidationErrors) {
  auto fails_on = [&](const TokenRequest& request, const std::string& field) {
    auto r = services_->tokens.create(sales_, session_, request);
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed) << field;
    EXPECT_EQ(r.error().fields.count(field), 1u) << r.error().to_json().dump();
  };
  fails_on(TokenRequest{"x", std::vector<std::string>{"admin"}}, "scopes");
  fails_on(TokenRequest{"x", std::vector<std::string>{}}, "scopes");
  fails_on(TokenRequest{"   "}, "name");
  fails_on(TokenRequest{std::string(101, 'n')}, "name");
  fails_on(TokenRequest{std::string("nul\0x", 5)}, "name");
  fails_on(TokenRequest{std::string("a\nb")}, "name");
  fails_on(TokenRequest{"x", std::nullopt, TokenRequest::Expiry::kAt, now_epoch_ms() - 1000},
           "expires_at");
  // Only administrators may ask for a token that never expires.
  fails_on(TokenRequest{"x", std::nullopt, TokenRequest::Expiry::kNever}, "expires_at");
  const Json forever = must(services_->tokens.create(
      admin_, "", TokenRequest{"forever", std::nullopt, TokenRequest::Expiry::kNever}));
  EXPECT_TRUE(forever["expires_at"].is_null());
}

TEST_F(TokenServiceTest, AChildTokenIsNarrowerThanItsParentAndCannotOutliveIt) {
  const std::int64_t in_10_days = now_epoch_ms() + 10 * kDayMs;
  const Json parent =
      mint(session_, TokenRequest{"parent", std::nullopt, TokenRequest::Expiry::kAt, in_10_days});
  const Json child = mint(secret(parent));
  EXPECT_EQ(child["parent_id"], parent["id"]);
  EXPECT_EQ(child["expires_at"], parent["expires_at"]);  // default capped at the parent's
  auto later = services_->tokens.create(
      sales_, secret(parent),
      TokenRequest{"later", std::nullopt, TokenRequest::Expiry::kAt, in_10_days + kDayMs});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().fields.count("expires_at"), 1u);

  const Json reader = mint(secret(parent), TokenRequest{"r", std::vector<std::string>{"read"}});
  // Wider than its own: refused, asked explicitly or not.
  auto wider = services_->tokens.create(sales_, secret(reader),
                                        TokenRequest{"w", std::vector<std::string>{"write"}});
  ASSERT_FALSE(wider.ok());
  EXPECT_EQ(wider.error().code, ErrorCode::kForbidden);
  const Json same = mint(secret(reader));
  EXPECT_EQ(same["scopes"], Json({"read"}));
}

TEST_F(TokenServiceTest, RevokingATokenRevokesEveryTokenMintedFromItAtOnce) {
  const Json root = mint(session_);
  const Json child = mint(secret(root));
  const Json grandchild = mint(secret(child));
  const Json sibling = mint(session_);
  for (const Json* t : {&root, &child, &grandchild, &sibling}) ASSERT_TRUE(works(secret(*t)));

  ASSERT_TRUE(services_->tokens.revoke(sales_, child["id"].get<std::int64_t>()).ok());
  EXPECT_TRUE(works(secret(root)));
  EXPECT_FALSE(services_->auth.authenticate(secret(child)).ok());
  EXPECT_FALSE(services_->auth.authenticate(secret(grandchild)).ok());
  EXPECT_TRUE(works(secret(sibling)));

  // Logging out with a token (it revokes itself) takes its children too.
  const Json child2 = mint(secret(root));
  ASSERT_TRUE(works(secret(child2)));
  ASSERT_TRUE(services_->auth.logout(secret(root)).ok());
  EXPECT_FALSE(services_->auth.authenticate(secret(child2)).ok());

  const Json ids = must(services_->tokens.list(sales_, std::nullopt))["data"];
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(ids[0]["id"], sibling["id"]);
}

TEST_F(TokenServiceTest, ListingShowsNoSecretAndOnlyAdminsSeeOthers) {
  const Json mine = mint(session_);
  must(services_->tokens.create(other_, "", TokenRequest{"hers"}));
  const Json list = must(services_->tokens.list(sales_, std::nullopt));
  ASSERT_EQ(list["data"].size(), 1u);
  const Json& item = list["data"][0];
  EXPECT_EQ(item["id"], mine["id"]);
  EXPECT_FALSE(item.contains("token"));
  EXPECT_FALSE(item.contains("token_hash"));
  EXPECT_EQ(item.dump().find(secret(mine).substr(4)), std::string::npos);
  for (const char* key : {"name", "scopes", "created_at", "expires_at", "parent_id", "user_id"}) {
    EXPECT_TRUE(item.contains(key)) << key;
  }

  EXPECT_EQ(services_->tokens.list(sales_, other_.user_id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(must(services_->tokens.list(admin_, other_.user_id))["data"].size(), 1u);
  EXPECT_EQ(must(services_->tokens.list(sales_, sales_.user_id))["data"].size(), 1u);
}

TEST_F(TokenServiceTest, OnlyTheOwnerOrAnAdminRevokes) {
  const Json mine = mint(session_);
  const std::int64_t id = mine["id"].get<std::int64_t>();
  // Another user's token answers like a missing one.
  EXPECT_EQ(services_->tokens.revoke(other_, id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(services_->tokens.revoke(sales_, id + 1000).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(works(secret(mine)));
  ASSERT_TRUE(services_->tokens.revoke(admin_, id).ok());
  EXPECT_FALSE(services_->auth.authenticate(secret(mine)).ok());
  EXPECT_EQ(services_->tokens.revoke(admin_, id).error().code, ErrorCode::kNotFound);
}

TEST_F(TokenServiceTest, ChainsAreBoundedAndTokensPerUserToo) {
  std::string caller = session_;
  for (int depth = 0; depth <= kMaxTokenDepth; ++depth) caller = secret(mint(caller));
  auto deeper = services_->tokens.create(sales_, caller, TokenRequest{"deep"});
  ASSERT_FALSE(deeper.ok());
  EXPECT_EQ(deeper.error().code, ErrorCode::kForbidden);

  const std::size_t held = must(services_->tokens.list(sales_, std::nullopt))["data"].size();
  for (std::size_t i = held; i < kMaxTokensPerUser; ++i) mint("");
  auto one_more = services_->tokens.create(sales_, "", TokenRequest{"one more"});
  ASSERT_FALSE(one_more.ok());
  EXPECT_EQ(one_more.error().code, ErrorCode::kConflict);
}

TEST_F(TokenServiceTest, PasswordChangeKeepsTheCallingChildTokenAlive) {
  const Json parent = mint(session_);
  const Json child = mint(secret(parent));
  ASSERT_TRUE(
      services_->auth.change_password(sales_, kPassword, "un-nouveau-secret", secret(child)).ok());
  EXPECT_TRUE(works(secret(child)));
  EXPECT_FALSE(services_->auth.authenticate(secret(parent)).ok());
  EXPECT_FALSE(services_->auth.authenticate(session_).ok());
}

}  // namespace
}  // namespace relais::domain
