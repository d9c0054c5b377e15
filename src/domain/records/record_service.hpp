// Generic create/read/update/delete/list of one record type, with validation against the
// EntitySchema, record-level permissions, optimistic concurrency, audit log and domain events.
// Type-specific behaviour (e-mail normalisation, stage probability, ...) plugs in as RecordRules.
//
// Thread-safe: holds no mutable state; every call runs its own unit of work on the Store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/schema/entity_schema.hpp"
#include "domain/store.hpp"

namespace relais::domain {

// Raw list parameters as the user typed them; parsed and validated by the service.
struct ListRequest {
  std::string filter;  // filter language, may be empty
  std::string q;       // full-text search, may be empty
  std::string sort;    // "field" or "-field", comma-separated, may be empty
  std::string cursor;
  int limit = 50;  // 1..500
};

// Hooks for one record type. Called inside the write transaction.
class RecordRules {
 public:
  virtual ~RecordRules() = default;
  // `candidate` is the full record as it will be stored (before + validated patch).
  // May normalise it in place; returns a validation/conflict error to abort the write.
  virtual Result<void> before_write(Transaction& tx, const Actor& actor, const Json* before,
                                    Json& candidate) = 0;
  // After the row is stored (`after` has id and version): maintain side tables, events.
  virtual Result<void> after_write(Transaction& tx, const Actor& actor, const Json* before,
                                   const Json& after) = 0;
  // Before a delete (e.g. refuse deleting a pipeline that still has deals).
  virtual Result<void> before_delete(Transaction& tx, const Actor& actor, const Json& record) {
    (void)tx, (void)actor, (void)record;
    return {};
  }
};

class RecordService {
 public:
  RecordService(Store& store, const EntitySchema& schema, std::unique_ptr<RecordRules> rules);

  const EntitySchema& schema() const { return schema_; }

  Result<Json> get(const Actor& actor, std::int64_t id);
  Result<Page> list(const Actor& actor, const ListRequest& request);
  // The same page as JSON text (PageText), for the list endpoints.
  Result<PageText> list_text(const Actor& actor, const ListRequest& request);
  Result<Json> create(const Actor& actor, const Json& body);
  // `patch` holds only the fields to change. `if_match` is the version the client last saw.
  Result<Json> update(const Actor& actor, std::int64_t id, const Json& patch,
                      std::optional<std::int64_t> if_match);
  Result<void> remove(const Actor& actor, std::int64_t id, std::optional<std::int64_t> if_match);

  // The same operations inside a caller's unit of work (used by import, merge, demo loader).
  Result<Json> create_in(Transaction& tx, const Actor& actor, const Json& body);
  Result<Json> update_in(Transaction& tx, const Actor& actor, std::int64_t id, const Json& patch,
                         std::optional<std::int64_t> if_match);
  Result<void> remove_in(Transaction& tx, const Actor& actor, std::int64_t id,
                         std::optional<std::int64_t> if_match);

  // Parses a ListRequest into a ListQuery (filter syntax, sort fields, limit range, visibility).
  Result<ListQuery> build_query(const Actor& actor, const ListRequest& request) const;

 private:
  // create_in / update_in before conceal_unreadable_holder (duplicate_conflict.hpp) has
  // removed from their errors the ids of records the actor cannot read.
  Result<Json> write_new(Transaction& tx, const Actor& actor, const Json& body);
  Result<Json> write_changes(Transaction& tx, const Actor& actor, std::int64_t id,
                             const Json& patch, std::optional<std::int64_t> if_match);

  Store& store_;
  const EntitySchema& schema_;
  std::unique_ptr<RecordRules> rules_;
};

}  // namespace relais::domain
