// domain::Transaction over one PostgreSQL connection inside an open transaction. PgStore
// begins it (SERIALIZABLE for writes, REPEATABLE READ READ ONLY for reads), hands this object
// to exactly one attempt of one unit of work, and commits or rolls back; it must not outlive
// that call.
//
// A failed statement aborts a PostgreSQL transaction: after a write method returns an error,
// the unit must end (return the error) unless it called the method inside savepoint(), which
// undoes the step and leaves the transaction usable (store.hpp). Writes whose failure the
// engine itself follows up with a query (the existing id behind a unique e-mail or domain)
// take an internal savepoint for that purpose.
#pragma once

#include "domain/store.hpp"
#include "storage/postgres/pg_blob_rows.hpp"
#include "storage/postgres/pg_connection.hpp"
#include "storage/postgres/pg_event_log.hpp"
#include "storage/postgres/pg_job_queue.hpp"

namespace relais::storage::postgres {

class PgTransaction final : public domain::Transaction {
 public:
  // `write_unit`: false in a READ ONLY read unit.
  PgTransaction(PgConnection& db, bool write_unit)
      : db_(db), write_unit_(write_unit), jobs_(db, write_unit), events_(db), blobs_(db) {}

  Result<Json> savepoint(const std::function<Result<Json>()>& step) override;
  domain::JobQueue& jobs() override { return jobs_; }
  domain::EventLog& events() override { return events_; }
  domain::BlobRefs& blobs() override { return blobs_; }
  // kJobsDue and kAuth: NOTIFY in this transaction (pg_listener.hpp), so every server's
  // listener hears it at commit. kOutbox stays in this process (local_signals()).
  void publish(domain::Topic topic, const std::string& key) override;
  // What the store publishes in this process after the commit.
  const domain::PendingSignals& local_signals() const { return local_signals_; }

  Result<Json> get(const domain::EntitySchema& schema, std::int64_t id) override;
  Result<domain::Page> list(const domain::EntitySchema& schema,
                            const domain::ListQuery& query) override;
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

  // Auth: defined in pg_auth.cpp.
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
  Result<std::int64_t> insert_api_token(const std::string& token_hash,
                                        const domain::SessionRecord& s) override;
  std::vector<domain::ApiTokenRecord> list_api_tokens(std::int64_t user_id) override;
  std::optional<domain::ApiTokenRecord> find_api_token(std::int64_t id) override;
  Result<std::vector<std::string>> delete_token_tree(const std::string& token_hash) override;
  Result<int> delete_expired_api_tokens(std::int64_t user_id, std::int64_t now_ms) override;

 private:
  // Runs a writing statement (one place to instrument writes).
  PgResult write(const std::string& sql, const std::vector<SqlValue>& params);
  std::optional<std::int64_t> find_id(const std::string& sql, const std::string& key);
  // The client error for a constraint violation of a write to `schema` (after the statement
  // has been undone: may query).
  Error constraint_error(const domain::EntitySchema& schema, const PgError& e, const Json& values);
  // Runs `statement` (one INSERT/UPDATE of `schema`), inside an internal savepoint when the
  // table has unique keys besides its id, mapping constraint violations to client errors.
  Result<PgResult> guarded_write(const domain::EntitySchema& schema, const Json& values,
                                 const std::string& sql, const std::vector<SqlValue>& params);
  std::string trail_time();

  PgConnection& db_;
  bool write_unit_;
  PgJobQueue jobs_;
  domain::PendingSignals local_signals_;
  PgEventLog events_;
  PgBlobRows blobs_;
  std::optional<std::string> effective_time_;  // unset: the clock
  int savepoint_depth_ = 0;                    // nested savepoints open now (sp1, sp2, ...)
  domain::EffectiveTimeScope effective_time_scope_ = domain::EffectiveTimeScope::kEverything;
};

// Maps a constraint violation or bad parameter escaping a unit of work to a client error.
Error error_from_pg(const PgError& e);

}  // namespace relais::storage::postgres
