// SQL text for the per-record statements of one EntitySchema (insert, select by id, FTS
// insert), built once per schema instead of once per row. The text is also the key of the
// connection's prepared-statement cache, so the same string object is reused every time.
//
// Thread-safe: the SQL of the built-in schemas (domain::all_schemas()) is built once at first
// use and never changes; any other schema (tests) gets freshly built text each call.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "domain/schema/entity_schema.hpp"

namespace relais::storage::sqlite {

struct SchemaSql {
  std::string insert;          // INSERT INTO t (every field but id) VALUES (?, ...)
  std::string select_by_id;    // SELECT every field FROM t AS t WHERE t.id = ?
  std::string select_version;  // SELECT version FROM t WHERE id = ?
  std::string remove;          // DELETE FROM t WHERE id = ?
  // Full-text index upkeep; empty when the schema has no searchable field.
  std::string fts_insert;               // INSERT INTO t_fts(rowid, f1, ...) VALUES (?, ...)
  std::vector<std::size_t> fts_fields;  // indexes into schema.fields, FTS column order
};

// Shared for the built-in schemas; owned by the caller's temporary otherwise.
class SchemaSqlRef {
 public:
  explicit SchemaSqlRef(const SchemaSql* shared) : sql_(shared) {}
  explicit SchemaSqlRef(std::unique_ptr<SchemaSql> owned)
      : sql_(owned.get()), owned_(std::move(owned)) {}
  const SchemaSql* operator->() const { return sql_; }
  const SchemaSql& operator*() const { return *sql_; }

 private:
  const SchemaSql* sql_;
  std::unique_ptr<SchemaSql> owned_;
};

SchemaSqlRef schema_sql(const domain::EntitySchema& schema);

}  // namespace relais::storage::sqlite
