// domain::EventLog over one SQLite connection, inside the unit of work of the transaction
// that owns it (tables: migrations/0007_event_log.sql). Appends need no locking of their
// own: every write unit runs on the store's single writer.
// Threading: belongs to one SqliteTransaction, used by its thread only.
#pragma once

#include <optional>

#include "domain/events/event_log.hpp"
#include "storage/sqlite/connection.hpp"

namespace relais::storage::sqlite {

class SqliteEventLog final : public domain::EventLog {
 public:
  explicit SqliteEventLog(Connection& db) : db_(db) {}

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
  // The interned id of `name`, if any event ever had it. Never cached across calls: a name
  // inserted inside a savepoint that rolls back must not outlive it.
  std::optional<std::int64_t> find_name(const std::string& name);
  std::int64_t intern_name(const std::string& name);
  bool contact_exists(std::int64_t id);

  Connection& db_;
};

}  // namespace relais::storage::sqlite
