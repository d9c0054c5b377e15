// The storage port: what the domain needs from a database, in domain terms.
// Implemented by storage/sqlite and storage/postgres. Nothing here names SQL.
//
// Threading: a Store is safe to use from many threads. A Transaction belongs to the thread
// running the unit of work it was handed to and must not escape it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "domain/blobs/blob_store.hpp"
#include "domain/events/event_log.hpp"
#include "domain/jobs/job_queue.hpp"
#include "domain/query/filter_ast.hpp"
#include "domain/schema/entity_schema.hpp"
#include "domain/signals.hpp"

namespace relais::domain {

// Order of a list. Every engine sorts NULLs first ascending and last descending (NULL is the
// smallest value), text by bytes (UTF-8 code points), and breaks ties by id in the direction
// of the last key (storage/common/keyset.cpp); keyset cursors rely on exactly this order.
struct SortKey {
  std::string field;
  bool descending = false;
};

// Record-level visibility computed by domain/permissions; storage turns it into a WHERE clause.
struct Visibility {
  bool all = true;                       // no restriction
  std::optional<std::int64_t> owner_id;  // else: owner_id = X
  std::optional<std::int64_t> team_id;   //       OR team_id = Y
  bool include_unowned = true;           //       OR owner_id IS NULL
};

struct ListQuery {
  FilterPtr filter;           // may be null
  std::string text_search;    // ?q=, empty = none; prefix + accent-insensitive
  std::vector<SortKey> sort;  // empty = newest first (id descending)
  int limit = 50;
  std::string cursor;  // opaque, from Page::next_cursor
  Visibility visibility;
};

struct Page {
  std::vector<Json> items;
  std::optional<std::string> next_cursor;
};

// The same page as JSON text, written straight from the rows without a DOM (the hot path of
// the list endpoints: building, serialising and freeing one Json per row was most of their
// CPU, docs/benchmarks.md). `items_json` is a JSON array equal, once parsed, to Page::items;
// the cursor is the same.
struct PageText {
  std::string items_json;
  std::size_t count = 0;  // records in items_json
  std::optional<std::string> next_cursor;
};

struct AuditEntry {
  std::int64_t actor_user_id = 0;
  std::string entity;  // singular schema name
  std::int64_t record_id = 0;
  std::string action;  // "create" | "update" | "delete" | "merge" | ...
  Json before;         // null on create
  Json after;          // null on delete; on update only the changed fields
};

struct DomainEvent {
  std::string type;  // "contact.created", "deal.stage_changed", ...
  std::string entity;
  std::int64_t record_id = 0;
  std::int64_t actor_user_id = 0;
  Json payload = Json::object();
};

// One type of linked record shown on a timeline (EntitySchema::on_timeline): its rows whose
// `link` field names the record, restricted like the actor's own list of that type (a child
// shows on a timeline only if the actor would see it in its list), computed by
// domain/permissions like ListQuery::visibility.
struct TimelineChild {
  const EntitySchema* schema = nullptr;
  const FieldDef* link = nullptr;  // timeline_link_field(*schema, parent)
  Visibility visibility;
};

struct TimelineQuery {
  std::string entity;  // a schema with has_timeline: "contact" | "company" | "deal"
  std::int64_t record_id = 0;
  int limit = 50;
  std::string cursor;
  // The linked records that show, one entry per on_timeline type. Stage changes and audit
  // rows belong to the record itself and show with it.
  std::vector<TimelineChild> children;
};

// Every on_timeline type linked to `parent`, in all_schemas() order, each unrestricted
// (Visibility's default): callers narrow each child's visibility for their actor.
inline std::vector<TimelineChild> timeline_children(const EntitySchema& parent) {
  std::vector<TimelineChild> children;
  for (const EntitySchema* schema : all_schemas()) {
    if (const FieldDef* link = timeline_link_field(*schema, parent)) {
      children.push_back({schema, link, Visibility{}});
    }
  }
  return children;
}

// The child entry of `query` for record type `name` ("activity"), or nullptr.
inline TimelineChild* timeline_child(TimelineQuery& query, std::string_view name) {
  for (TimelineChild& child : query.children) {
    if (child.schema->name == name) return &child;
  }
  return nullptr;
}

// Credentials and sessions are not ordinary records: never listed, never exported.
struct UserCredentials {
  std::int64_t user_id = 0;
  std::string password_hash;  // argon2id encoded string
  bool active = true;
};

struct SessionRecord {
  std::int64_t user_id = 0;
  std::string kind;                // "session" | "api_token"
  std::int64_t expires_at_ms = 0;  // 0 = never
  std::string csrf_token;          // sessions only
  std::string name;                // api tokens: the label the user gave it (shown in token lists)
  // Sessions: when it was last used (epoch ms), refreshed at most every few minutes; the idle
  // expiry counts from it. insert_session stores the given value (0 for API tokens).
  std::int64_t last_seen_at_ms = 0;
  std::string scopes;             // api tokens: "read" or "read write"; empty = every scope
                                  // (sign-in sessions, tokens made before scopes existed)
  std::string parent_token_hash;  // api tokens minted by another API token: that token's hash
};

// One API token as token lists show it. `token_hash` stays inside the domain (revocation);
// neither it nor the secret is ever rendered.
struct ApiTokenRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::string scopes;  // as in SessionRecord
  std::string created_at;
  std::int64_t expires_at_ms = 0;  // 0 = never
  std::optional<std::int64_t> parent_id;
  std::string token_hash;
};

// A failed sign-in counter (see domain/auth/login_throttle.hpp), shared through the database
// by every server process.
struct LoginThrottleCount {
  int failures = 0;
  std::int64_t last_failure_at_ms = 0;  // epoch ms
};

// Read-mostly data the domain looks up again and again inside one unit of work (custom field
// definitions while an import validates thousands of rows), kept for that unit only: a unit
// never sees another's cache, so nothing can go stale across transactions or servers. Code
// that writes such data drops its key in the same unit.
class UnitCache {
 public:
  const Json* find(const std::string& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
  }
  const Json& put(const std::string& key, Json value) { return entries_[key] = std::move(value); }
  void erase(const std::string& key) { entries_.erase(key); }

 private:
  std::map<std::string, Json> entries_;
};

// What Transaction::set_effective_time stamps (see set_effective_time_scope).
enum class EffectiveTimeScope { kEverything, kRecordsOnly };

class Transaction {
 public:
  virtual ~Transaction() = default;

  UnitCache& cache() { return cache_; }

  // Runs `step` inside a savepoint: when it returns an error (or throws), everything it wrote
  // is undone and the transaction stays usable; otherwise its writes stay part of the unit.
  // The only way to go on after a failed write: PostgreSQL aborts a transaction whose
  // statement failed unless a savepoint was taken before it, so after a write method returns
  // an error outside a savepoint the unit must end (return an error). Savepoints nest.
  virtual Result<Json> savepoint(const std::function<Result<Json>()>& step) = 0;

  // The durable job queue and outbox cursors, inside this unit of work (job_queue.hpp).
  virtual JobQueue& jobs() = 0;
  // The event log (behavioural events), inside this unit of work (events/event_log.hpp).
  virtual EventLog& events() = 0;
  // References records hold to stored blobs, inside this unit of work (blobs/blob_store.hpp).
  virtual BlobRefs& blobs() = 0;

  // Signals `topic` (signals.hpp) to the Store's subscribers once this unit commits (on
  // PostgreSQL to every server's, in the same transaction: never if it rolls back). The engine
  // signals kJobsDue and kOutbox by itself; the domain signals kAuth (auth_token_key,
  // auth_user_key) where it revokes or changes what a cached resolution holds. Ignored in a
  // read unit.
  virtual void publish(Topic topic, const std::string& key) = 0;

  // Generic records. Values are JSON objects keyed by schema field names.
  virtual Result<Json> get(const EntitySchema& schema, std::int64_t id) = 0;
  virtual Result<Page> list(const EntitySchema& schema, const ListQuery& query) = 0;
  // list() rendered as text (PageText): the same records, values and cursor.
  virtual Result<PageText> list_text(const EntitySchema& schema, const ListQuery& query) = 0;
  virtual Result<std::int64_t> count(const EntitySchema& schema, const ListQuery& query) = 0;
  // Returns the stored record with id, version = 1, created_at, updated_at filled in.
  // `values` may name their own created_at/updated_at (data migrations), in the stamp form of
  // set_effective_time; any other form is kValidationFailed on that field.
  virtual Result<Json> insert(const EntitySchema& schema, const Json& values) = 0;
  // Applies `changes` (a subset of fields), bumps version and updated_at, returns the record.
  // kConflict when expected_version is set and differs from the stored version.
  virtual Result<Json> update(const EntitySchema& schema, std::int64_t id, const Json& changes,
                              std::optional<std::int64_t> expected_version) = 0;
  virtual Result<void> remove(const EntitySchema& schema, std::int64_t id) = 0;

  // Contact e-mail index: unique, lower-cased. kConflict (details.existing_id) on a clash.
  // set_ replaces the contact's addresses; add_ is for a contact that has none yet (just
  // inserted): it skips looking for addresses to remove, a read that on PostgreSQL takes a
  // predicate lock where every concurrent new contact writes (SERIALIZABLE: decision 0009).
  virtual Result<void> set_contact_emails(std::int64_t contact_id,
                                          const std::vector<std::string>& emails) = 0;
  virtual Result<void> add_contact_emails(std::int64_t contact_id,
                                          const std::vector<std::string>& emails) = 0;
  virtual std::optional<std::int64_t> find_contact_by_email(const std::string& email) = 0;
  // Company domain index: unique, lower-cased.
  virtual std::optional<std::int64_t> find_company_by_domain(const std::string& domain) = 0;

  // Moves every reference to `from_contact` (activities, tasks, notes, deals.contact_ids,
  // audit/timeline rows, logged events) onto `into_contact`.
  virtual Result<void> repoint_contact(std::int64_t from_contact, std::int64_t into_contact) = 0;

  // Deal stage history, for the timeline and funnel analytics.
  virtual void record_stage_change(std::int64_t deal_id, const std::string& from_stage,
                                   const std::string& to_stage, std::int64_t actor_user_id) = 0;

  virtual void record_audit(const AuditEntry& entry) = 0;
  virtual void record_event(const DomainEvent& event) = 0;

  // Writing "as of" another instant, for data migrations and demo data, never on behalf of an
  // API client. From this call on, rows this unit of work writes carry `iso_utc` instead of
  // the clock: created_at and updated_at of inserts (unless the values name their own),
  // updated_at of updates, and the `at` of stage changes, audit entries and events. nullopt
  // returns to the clock; a new unit of work always starts on the clock. `iso_utc` must be in
  // the stamp form "2026-11-25T14:03:07.123Z" (see is_storage_timestamp), else kBadRequest
  // and the effective time is unchanged.
  virtual Result<void> set_effective_time(std::optional<std::string> iso_utc) = 0;
  // Whether the effective time also stamps the trail of the write. kEverything, the start of
  // every unit of work: audit entries and events carry it too (demo data, migrations the
  // system runs, where the whole history is re-enacted). kRecordsOnly: audit entries and
  // events keep the clock while records and their stage history carry the effective time —
  // a CSV import that keeps another system's creation dates backdates the records, never the
  // account of who wrote them when. Lasts until changed or the end of the unit of work.
  virtual void set_effective_time_scope(EffectiveTimeScope scope) = 0;
  // The instant this unit's writes carry now, in the stamp form: the effective time when set,
  // else the clock. Domain rules stamp their own fields (closed_at, completed_at, ...) with it.
  virtual std::string effective_time() = 0;

  // Activities, notes, tasks, stage changes and audited field changes of one record,
  // newest first. Items: {"kind", "at", "id"?, "actor_user_id"?, ...kind-specific fields}.
  virtual Result<Page> timeline(const TimelineQuery& query) = 0;

  // Auth.
  virtual std::optional<UserCredentials> find_credentials_by_email(const std::string& email) = 0;
  virtual Result<void> set_password_hash(std::int64_t user_id, const std::string& hash) = 0;
  virtual Result<void> insert_session(const std::string& token_hash, const SessionRecord& s) = 0;
  virtual std::optional<SessionRecord> find_session(const std::string& token_hash) = 0;
  // Deleting a session or token also deletes every API token minted from it (its
  // `parent_token_hash`), recursively: whatever path deletes a token, its children go too.
  virtual Result<void> delete_session(const std::string& token_hash) = 0;
  // Deletes every session and API token of `user_id` except the one whose hash is
  // `except_token_hash` (empty: keep none), which survives even when its parent goes.
  // Returns how many were deleted.
  virtual Result<int> delete_sessions_of_user(std::int64_t user_id,
                                              const std::string& except_token_hash) = 0;
  // Sets a session's last_seen_at_ms (idle expiry). A missing session is not an error.
  virtual Result<void> touch_session(const std::string& token_hash, std::int64_t seen_at_ms) = 0;

  // Sign-in throttle counters, by opaque key. Read-modify-write them inside one write unit of
  // work: writes are serialised, so two servers counting the same key never lose a failure.
  virtual std::optional<LoginThrottleCount> find_login_throttle(const std::string& key) = 0;
  virtual Result<void> put_login_throttle(const std::string& key,
                                          const LoginThrottleCount& count) = 0;
  virtual Result<void> delete_login_throttle(const std::string& key) = 0;
  // Deletes every counter whose last failure is before `before_ms`; returns how many.
  virtual Result<int> prune_login_throttle(std::int64_t before_ms) = 0;

  // API tokens: a session row of kind "api_token" plus a public id, returned here.
  // kValidationFailed (field parent) when `s.parent_token_hash` names no stored token.
  virtual Result<std::int64_t> insert_api_token(const std::string& token_hash,
                                                const SessionRecord& s) = 0;
  // The user's API tokens, newest first (expired ones included).
  virtual std::vector<ApiTokenRecord> list_api_tokens(std::int64_t user_id) = 0;
  virtual std::optional<ApiTokenRecord> find_api_token(std::int64_t id) = 0;
  // Deletes the session or token `token_hash` and every token minted from it, recursively;
  // returns the hashes deleted (for cache invalidation), empty when it did not exist.
  virtual Result<std::vector<std::string>> delete_token_tree(const std::string& token_hash) = 0;
  // Deletes the user's API tokens whose expiry passed before `now_ms`; returns how many.
  virtual Result<int> delete_expired_api_tokens(std::int64_t user_id, std::int64_t now_ms) = 0;

 private:
  UnitCache cache_;
};

using UnitOfWork = std::function<Result<Json>(Transaction&)>;

// A unit of work may run more than once: an engine that detects a conflict with a concurrent
// writer (PostgreSQL's serialization failures) rolls it back and runs it again from the
// start on a fresh Transaction. A unit therefore has no effect outside its Transaction
// (no mail sent, no file written) and resets whatever it collects for its caller.
class Store {
 public:
  virtual ~Store() = default;
  // Runs `work` on a read-only snapshot. Blocks the calling thread (a worker, never I/O).
  virtual Result<Json> read(const UnitOfWork& work) = 0;
  // Runs `work` atomically: every change it made is durable when this returns ok, and none
  // is kept when it returns an error or throws. Writes are serialised (one writer); several
  // may share one commit (group commit) without affecting each other's outcome.
  virtual Result<Json> write(const UnitOfWork& work) = 0;
  // As write(), for a unit whose every read that decides a write locks the rows it reads
  // (job claims: JobQueue::claim takes its rows FOR UPDATE SKIP LOCKED) and relies on
  // nothing else being serialised: an engine may run it at a weaker isolation where
  // concurrent claims pass over each other's rows instead of failing to serialise
  // (PostgreSQL: READ COMMITTED; measured in pg_job_queue_test.cpp, SERIALIZABLE claims fail
  // each other and the completions around them). Domain rules never belong in such a unit.
  virtual Result<Json> write_row_locked(const UnitOfWork& work) { return write(work); }

  // Change signals (signals.hpp): `handler` runs for every signal of `topic` until the
  // returned Subscription is dropped. The Store must outlive it.
  virtual Subscription subscribe(Topic topic, SignalHandler handler) = 0;
  // Whether units of work of other Store objects on the database (other servers, `relais
  // worker`) signal this one too. PostgreSQL: yes (LISTEN/NOTIFY; kJobsDue and kAuth, not
  // kOutbox). SQLite: no, only this Store's own units; other processes on the same file are
  // seen by polling.
  virtual bool signals_reach_other_processes() const = 0;
};

}  // namespace relais::domain
