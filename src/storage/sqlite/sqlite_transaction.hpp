// domain::Transaction over one SQLite connection. The store opens the surrounding SQL
// transaction (a savepoint inside the writer's group commit, or a deferred read transaction)
// and hands this object to exactly one unit of work; it must not outlive that call.
#pragma once

#include "domain/store.hpp"
#include "storage/sqlite/connection.hpp"
#include "storage/sqlite/fts_log.hpp"
#include "storage/sqlite/sqlite_blob_rows.hpp"
#include "storage/sqlite/sqlite_error.hpp"
#include "storage/sqlite/sqlite_event_log.hpp"
#include "storage/sqlite/sqlite_job_queue.hpp"

namespace relais::storage::sqlite {

class SqliteTransaction final : public domain::Transaction {
 public:
  // `fts`: the writer's deferred full-text inserts (see fts_log.hpp); null = write them
  // immediately (readers, tools). `signals`: where the unit's change signals go, published
  // by the store after the commit (signals.hpp); null = dropped (readers, tools).
  explicit SqliteTransaction(Connection& db, FtsLog* fts = nullptr,
                             domain::PendingSignals* signals = nullptr)
      : db_(db), fts_(fts), signals_(signals), jobs_(db, signals), events_(db), blobs_(db) {}

  Result<Json> savepoint(const std::function<Result<Json>()>& step) override;
  domain::JobQueue& jobs() override { return jobs_; }
  domain::EventLog& events() override { return events_; }
  domain::BlobRefs& blobs() override { return blobs_; }
  void publish(domain::Topic topic, const std::string& key) override {
    if (signals_ != nullptr) signals_->add(topic, key);
  }

  Result<Json> get(const domain::EntitySchema& schema, std::int64_t id) override;
  Result<domain::Page> list(const domain::EntitySchema& schema,
                            const domain::ListQuery& query) override;
  // sqlite_list_text.cpp
  Result<domain::PageText> list_text(const domain::EntitySchema& schema,
                                     const domain::ListQuery& query) override;
  Result<std::int64_t> count(const domain::EntitySchema& schema,
                             const domain::ListQuery& query) override;
  Result<Json> insert(const domain::EntitySchema& schema, const Json& values) override;
  Result<Json> update(const domain::EntitySchema& schema, std::int64_t id, const Json& changes,
                      std::optional<std::int64_t> expected_version) override;
  Result<void> remove(const domain::EntitySchema& schema, std::int64_t id) override;

  Result<void> set_contact_emails(std::int64_t contact_id,
                                  const std::vector<std::string>& emails) override;
  Result<void> add_contact_emails(std::int64_t contact_id,
                                  const std::vector<std::string>& emails) override;
  std::optional<std::int64_t> find_contact_by_email(const std::string& email) override;
  std::optional<std::int64_t> find_company_by_domain(const std::string& domain) override;
  Result<void> repoint_contact(std::int64_t from_contact, std::int64_t into_contact) override;

  void record_stage_change(std::int64_t deal_id, const std::string& from_stage,
                           const std::string& to_stage, std::int64_t actor_user_id) override;
  void record_audit(const domain::AuditEntry& entry) override;
  void record_event(const domain::DomainEvent& event) override;
  Result<void> set_effective_time(std::optional<std::string> iso_utc) override;
  std::string effective_time() override;
  void set_effective_time_scope(domain::EffectiveTimeScope scope) override {
    effective_time_scope_ = scope;
  }

  Result<domain::Page> timeline(const domain::TimelineQuery& query) override;

  std::optional<domain::UserCredentials> find_credentials_by_email(
      const std::string& email) override;
  Result<void> set_password_hash(std::int64_t user_id, const std::string& hash) override;
  Result<void> insert_session(const std::string& token_hash,
                              const domain::SessionRecord& s) override;
  std::optional<domain::SessionRecord> find_session(const std::string& token_hash) override;
  Result<void> delete_session(const std::string& token_hash) override;
  Result<int> delete_sessions_of_user(std::int64_t user_id,
                                      const std::string& except_token_hash) override;
  Result<void> touch_session(const std::string& token_hash, std::int64_t seen_at_ms) override;
  std::optional<domain::LoginThrottleCount> find_login_throttle(const std::string& key) override;
  Result<void> put_login_throttle(const std::string& key,
                                  const domain::LoginThrottleCount& count) override;
  Result<void> delete_login_throttle(const std::string& key) override;
  Result<int> prune_login_throttle(std::int64_t before_ms) override;
  // API tokens: defined in api_tokens.cpp.
  Result<std::int64_t> insert_api_token(const std::string& token_hash,
                                        const domain::SessionRecord& s) override;
  std::vector<domain::ApiTokenRecord> list_api_tokens(std::int64_t user_id) override;
  std::optional<domain::ApiTokenRecord> find_api_token(std::int64_t id) override;
  Result<std::vector<std::string>> delete_token_tree(const std::string& token_hash) override;
  Result<int> delete_expired_api_tokens(std::int64_t user_id, std::int64_t now_ms) override;

 private:
  std::optional<std::int64_t> find_id(const std::string& sql, const std::string& key);
  Error constraint_error(const domain::EntitySchema& schema, const SqliteError& e,
                         const Json& values);
  // Writes every queued full-text insert; called before anything that reads an FTS table or
  // may fire its update/delete triggers.
  void flush_fts();
  // The stamp of audit rows and outbox events: the effective time unless its scope is
  // records only.
  std::string trail_time();

  Connection& db_;
  FtsLog* fts_;
  domain::PendingSignals* signals_;
  std::optional<std::string> effective_time_;  // unset: the clock
  SqliteJobQueue jobs_;
  SqliteEventLog events_;
  SqliteBlobRows blobs_;
  int savepoint_depth_ = 0;  // nested savepoint() calls open now (names sp1, sp2, ...)
  domain::EffectiveTimeScope effective_time_scope_ = domain::EffectiveTimeScope::kEverything;
};

// Maps a constraint violation escaping a unit of work to a client error (never a 500).
Error error_from_constraint(const SqliteError& e);

}  // namespace relais::storage::sqlite
