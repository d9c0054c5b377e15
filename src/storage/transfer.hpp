// Moving a whole installation between databases (`relais migrate-data`), table by table, in
// an engine-neutral form.
//
// transfer_tables() is THE list of what an installation consists of: every table of the
// schema except schema_migrations (kept per engine) and each engine's own search index
// (FTS5 tables on SQLite, generated tsvector columns on PostgreSQL), with every column and
// its logical type, and the columns only one engine has (engine_only: how the target fills
// them). transfer_test.cpp checks it against both engines' migrated schemas, so a table or
// column added by a later migration and forgotten here fails a test.
//
// TransferDatabase is the small port each engine implements (sqlite/sqlite_transfer.cpp,
// postgres/pg_transfer.cpp): read a table in key order in batches from one consistent
// snapshot, write batches inside one transaction, and the engine's own upkeep (identity
// sequences, search index). Values cross it in canonical form (TransferValue), so that the
// checksums of transfer_copy.hpp are computed the same way on both sides.
//
// Threading: a TransferDatabase is used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "storage/database_url.hpp"

namespace relais::storage {

// Logical column types: SQLite stores kBoolean as INTEGER 0/1 and kJson as TEXT holding JSON;
// PostgreSQL as boolean and jsonb; kBytes (file contents) as BLOB and bytea. Integers are
// 64-bit on both; text and bytes are compared byte-wise.
enum class ColumnType { kInteger, kText, kBoolean, kJson, kBytes };

// How a copied column's engine-neutral value relates to what an engine stores.
enum class ColumnRole {
  kPlain,  // the stored value itself
  // An outbox consumer's cursor as an event id N: every event with an id <= N has been taken
  // (SQLite's cursor, whose events are taken in id order). PostgreSQL takes events in
  // (tx, id) order (0004_jobs.sql) and keeps the cursor as the (tx, id) of the last event
  // taken, so an event with a lower id may come later: it reads the cursor as the highest
  // N <= its last_event_id such that every event with an id <= N is at or before the
  // position. An event is then at worst taken again (harmless: consumers key their jobs on
  // the event id), never skipped. Written, N is (the copy transaction's xid, N): see
  // EngineFill::kCopyTransactionId.
  kOutboxCursorId,
};

struct TransferColumn {
  std::string name;
  ColumnType type;
  ColumnRole role = ColumnRole::kPlain;
};

// How the target engine fills a column of its own, inside the copy's transaction.
enum class EngineFill {
  // PostgreSQL's pg_current_xact_id(): every copied outbox event gets the copy transaction's
  // id (so copied events are taken in id order), and so does every copied cursor, which makes
  // the neutral cursor N the position (that xid, N): after event N, before event N + 1.
  kCopyTransactionId,
};

// A column only `engine` has: neither read, copied nor checksummed; the target fills it.
struct EngineOnlyColumn {
  std::string name;
  Engine engine;
  std::string declared_type;  // as that engine's schema reports it (checked by transfer_test)
  EngineFill fill;
};

struct TransferTable {
  std::string name;
  // columns[0] is the key: unique, not null, and the order rows are read, copied and
  // checksummed in (byte order for text keys on both engines).
  std::vector<TransferColumn> columns;
  // The key is an integer id drawn from a sequence (PostgreSQL identity, SQLite
  // AUTOINCREMENT) that must continue after max(id) in the target.
  bool identity = false;
  // A column referencing this same table (sessions.parent_token_hash): written as NULL with
  // the rows, then set once every row exists, so rows may come in any order.
  std::optional<std::string> self_reference;
  std::vector<EngineOnlyColumn> engine_only;
  // At most this many rows per batch read or written (0: the copy's batch size): rows of
  // blob chunks hold 256 KiB each, a thousand of them would be a quarter of a gigabyte.
  std::size_t max_batch_rows = 0;
};

// In copy order: a table comes after every table its foreign keys reference.
const std::vector<TransferTable>& transfer_tables();

// One value in canonical form: kInteger int64; kBoolean bool; kText and kBytes the bytes; kJson the
// compact JSON text with object keys sorted (nlohmann's dump), whatever spacing and key order
// the engine stores.
using TransferValue = std::variant<std::nullptr_t, std::int64_t, bool, std::string>;
using TransferRow = std::vector<TransferValue>;  // one value per TransferTable::columns

// Parses `text` as JSON and returns its canonical form; throws nlohmann's parse_error.
std::string canonical_json(std::string_view text);

class TransferDatabase {
 public:
  virtual ~TransferDatabase() = default;

  virtual const char* engine() const = 0;  // "sqlite" or "postgresql"
  // The schema version recorded in the database (0 when it has none).
  virtual int schema_version() = 0;
  // Applies pending migrations; returns the version reached.
  virtual Result<int> migrate() = 0;

  // Starts one read-only snapshot that every following read_batch/count_rows sees, until
  // end_read(): a live database keeps being written meanwhile, the copy stays consistent.
  virtual void begin_read() = 0;
  virtual void end_read() = 0;
  // Starts the one transaction every write goes into; commit() or rollback() ends it.
  // Reads between begin_write() and its end see the transaction's own writes.
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  virtual std::int64_t count_rows(const TransferTable& table) = 0;
  // Up to `limit` rows whose key is greater than `after` (every row from the first when
  // `after` is null), in key order.
  virtual std::vector<TransferRow> read_batch(const TransferTable& table,
                                              const TransferValue& after, std::size_t limit) = 0;
  // Deletes every row of every transfer table (for --force), inside the write transaction.
  virtual void clear_all() = 0;
  // Inserts `rows`, the self-reference column (if any) as NULL. Throws on a constraint
  // violation or a value the column cannot hold.
  virtual void write_batch(const TransferTable& table, const std::vector<TransferRow>& rows) = 0;
  // Sets the self-reference column of rows already written (key, value), value not null.
  virtual void write_self_references(const TransferTable& table,
                                     const std::vector<TransferRow>& rows) = 0;
  // The highest id `table`'s counter has issued (0 if none): above max(id) once the newest
  // rows were deleted. Only for identity tables.
  virtual std::int64_t last_issued_id(const TransferTable& table) = 0;
  // After every row of every table is in: each identity counter continues after the higher
  // of max(id) and the source's last issued id (`last_ids`, by table name), so the id of a
  // deleted record is never issued again — its audit entries and outbox events still name
  // it; the engine's search index covers the copied rows.
  virtual void finish(const std::map<std::string, std::int64_t>& last_ids) = 0;
};

// Opens `url` (sqlite:<path> or postgresql://...) for a transfer. The SQLite file must exist
// unless `create`.
Result<std::unique_ptr<TransferDatabase>> open_transfer_database(const std::string& url,
                                                                 bool create);

}  // namespace relais::storage
