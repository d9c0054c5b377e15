// domain::EventLog on PostgreSQL (tables: migrations/0007_event_log.sql; the contract is
// domain/events/event_log.hpp, the SQLite engine's sqlite_event_log.hpp does the same on one
// writer). A batch goes in as one INSERT ... SELECT FROM jsonb_to_recordset($1): one prepared
// statement and one round trip whatever the batch size.
// Threading: belongs to one PgTransaction, used by its thread only.
#pragma once

#include <optional>

#include "domain/events/event_log.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

class PgEventLog final : public domain::EventLog {
 public:
  explicit PgEventLog(PgConnection& db) : db_(db) {}

  Result<std::vector<std::int64_t>> append(const std::vector<domain::NewEvent>& batch) override;
  Result<domain::EventPage> contact_events(const domain::ContactEventQuery& query) override;
  Result<std::vector<domain::BucketCount>> bucket_counts(const domain::BucketQuery& query) override;
  Result<std::map<std::string, std::int64_t>> contact_counts(
      std::int64_t contact_id, std::int64_t since_ms,
      const std::vector<std::string>& names) override;
  Result<std::int64_t> identify(const std::string& visitor_id, std::int64_t contact_id) override;
  std::int64_t prune_before(std::int64_t before_ms, int limit) override;

  // Transaction::repoint_contact: the merged contact's events become `into`'s.
  void move_contact(std::int64_t from, std::int64_t into);

 private:
  // Interned ids of those of `names` that exist. Never cached across calls: a name inserted
  // inside a savepoint that rolls back must not outlive it.
  std::map<std::string, std::int64_t> find_names(const std::vector<std::string>& names);

  PgConnection& db_;
};

}  // namespace relais::storage::postgres
