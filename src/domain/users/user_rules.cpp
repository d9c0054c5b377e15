// Users: e-mail lower-cased, valid and unique (it is the login). Credentials live apart
// (Transaction::set_password_hash) and never appear in the record. Deactivating a user
// revokes all of their sessions and API tokens.
#include "domain/contacts/contact_fields.hpp"
#include "domain/query/filter_build.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

// The user fields copied into an Actor by AuthService::authenticate.
bool actor_changed(const Json& before, const Json& after) {
  for (const char* field : {"role", "team_id", "locale", "active"}) {
    if (before.value(field, Json()) != after.value(field, Json())) return true;
  }
  return false;
}

class UserRules final : public RecordRules {
 public:
  explicit UserRules(std::shared_ptr<SessionCache> session_cache)
      : session_cache_(std::move(session_cache)) {}

  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    const Json raw = candidate.value("email", Json());
    auto email = raw.is_string() ? normalize_email(raw.get<std::string>()) : std::nullopt;
    if (!email) return Error::field("email", "is not a valid e-mail address");
    candidate["email"] = *email;
    if (before && before->value("email", Json()) == *email) return {};
    ListQuery query;
    query.filter = filter_eq("email", *email);
    query.limit = 2;
    RELAIS_ASSIGN_OR_RETURN(Page same, tx.list(user_schema(), query));
    const std::int64_t self = before ? before->value("id", std::int64_t{0}) : 0;
    for (const auto& u : same.items) {
      const std::int64_t id = u.value("id", std::int64_t{0});
      if (id != self) {
        return Error::conflict(
            "the e-mail address " + *email + " is already used by user " + std::to_string(id),
            {{"existing_id", id}, {"field", "email"}});
      }
    }
    return {};
  }
  Result<void> after_write(Transaction& tx, const Actor&, const Json* before,
                           const Json& after) override {
    // A deactivated user must lose access at once, not when each session expires:
    // authenticate() refuses inactive users, but reactivation must not revive old tokens.
    if (before && !after.value("active", true)) {
      RELAIS_TRY(tx.delete_sessions_of_user(after.value("id", std::int64_t{0}), ""));
    }
    // Inside the transaction, before the commit: SessionCache::invalidate_user also refuses
    // to cache this user for a TTL, so a concurrent read of the old row cannot repopulate it.
    if (before && actor_changed(*before, after)) {
      const std::int64_t id = after.value("id", std::int64_t{0});
      if (session_cache_) session_cache_->invalidate_user(id);
      tx.publish(Topic::kAuth, auth_user_key(id));  // the other servers' caches, at commit
    }
    return {};
  }
  Result<void> before_delete(Transaction& tx, const Actor&, const Json& record) override {
    const std::int64_t id = record.value("id", std::int64_t{0});
    if (session_cache_) session_cache_->invalidate_user(id);
    tx.publish(Topic::kAuth, auth_user_key(id));
    return {};
  }

 private:
  std::shared_ptr<SessionCache> session_cache_;  // shared with AuthService; may be null
};

}  // namespace

std::unique_ptr<RecordRules> make_user_rules() { return std::make_unique<UserRules>(nullptr); }

std::unique_ptr<RecordRules> make_user_rules(std::shared_ptr<SessionCache> session_cache) {
  return std::make_unique<UserRules>(std::move(session_cache));
}

}  // namespace relais::domain
