// The event log port: behavioural events (page views, e-mail opens, form submissions, ...)
// of contacts and anonymous visitors, built for tens of millions of rows. Reached as
// Transaction::events() inside any unit of work, so a batch is appended in the caller's
// transaction and disappears with it when the unit fails. Implemented by each storage
// engine (sqlite_event_log, pg_event_log); decision 0012 says why it looks like this.
//
// What it is not: a record type. Appending writes no audit entry and no outbox event (one
// per page view would double the write volume and flood every consumer); a caller whose
// consumers need an event (scoring, automation) records one with Transaction::record_event,
// from the ids append() returns (event_appended() builds it).
//
// Times are epoch milliseconds (UTC), ranges half-open [from, to). Event names are interned
// by the engine: a name costs a few bytes per row however long it is.
// Threading: an EventLog belongs to the Transaction it came from (see store.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace relais::domain {

struct DomainEvent;

inline constexpr std::size_t kMaxEventNameBytes = 100;
inline constexpr std::size_t kMaxVisitorIdBytes = 64;
inline constexpr std::size_t kMaxEventPropertiesBytes = 16 * 1024;  // serialised JSON
inline constexpr std::size_t kMaxEventBatch = 10'000;
inline constexpr std::size_t kMaxEventBuckets = 10'000;

struct NewEvent {
  // Whose event: a contact, or an anonymous visitor (the tracker's id) until identify()
  // links the visitor's events to a contact. At least one of the two; both may be given.
  std::optional<std::int64_t> contact_id;
  std::string visitor_id;
  std::string name;  // "page_view", "email_opened", or a custom name
  std::int64_t occurred_at_ms = 0;
  Json properties = Json::object();  // a JSON object, at most kMaxEventPropertiesBytes
};

struct Event {
  std::int64_t id = 0;  // increasing in append order, never reused
  std::optional<std::int64_t> contact_id;
  std::string visitor_id;  // empty unless the event came from an anonymous visitor
  std::string name;
  std::int64_t occurred_at_ms = 0;
  Json properties = Json::object();
};

// One contact's events, newest first: by occurred_at descending, then id descending.
struct ContactEventQuery {
  std::int64_t contact_id = 0;
  std::vector<std::string> names;       // empty: every name
  std::optional<std::int64_t> from_ms;  // occurred_at >= from
  std::optional<std::int64_t> to_ms;    // occurred_at < to
  int limit = 50;                       // 1..500 (storage/common/keyset's page sizes)
  std::string cursor;                   // opaque, from EventPage::next_cursor
};

struct EventPage {
  std::vector<Event> items;
  std::optional<std::string> next_cursor;
};

enum class BucketSize { kHour, kDay, kWeek, kMonth };  // weeks start on Monday (ISO 8601)

// Counts per calendar bucket of the wall clock in `time_zone`: a day in Europe/Paris runs
// from local midnight to local midnight, 23 or 25 hours across a DST change.
struct BucketQuery {
  std::vector<std::string> names;  // empty: every name known to the log
  std::int64_t from_ms = 0;        // the first bucket is the one holding from_ms ...
  std::int64_t to_ms = 0;          // ... the last the one holding to_ms - 1
  BucketSize size = BucketSize::kDay;
  std::string time_zone = "UTC";  // an IANA name (common/time_zones.hpp)
};

struct BucketCount {
  std::string name;
  std::int64_t bucket_start_ms = 0;  // the bucket's calendar start (local midnight, ...)
  std::int64_t count = 0;            // events in the bucket within [from_ms, to_ms)
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends every event of `batch` in the caller's unit of work; returns their ids, in the
  // batch's order. Validates the whole batch first (validate_new_event; a contact_id that
  // names no contact is refused too): on any error nothing is appended, the error names
  // the field as "events[i].name" etc. At most kMaxEventBatch events per call.
  virtual Result<std::vector<std::int64_t>> append(const std::vector<NewEvent>& batch) = 0;

  // One contact's events, newest first, with a keyset cursor (stable while events are
  // appended: a page never repeats or skips what the previous one showed). kBadRequest for a
  // cursor this method did not make.
  virtual Result<EventPage> contact_events(const ContactEventQuery& query) = 0;

  // Every bucket of every asked name, in name order then time order, zeros included
  // (names.size() x buckets rows; a name never seen counts 0 everywhere). kValidationFailed
  // for an unknown time zone, to_ms <= from_ms, or more than kMaxEventBuckets buckets.
  virtual Result<std::vector<BucketCount>> bucket_counts(const BucketQuery& query) = 0;

  // How many events of each name the contact has had at or after `since_ms` (scoring: "how
  // many times did this contact do X"). `names` empty: every name it has; else exactly those
  // names, zeros included.
  virtual Result<std::map<std::string, std::int64_t>> contact_counts(
      std::int64_t contact_id, std::int64_t since_ms, const std::vector<std::string>& names) = 0;

  // Identify: the anonymous visitor's events that belong to no contact yet become the
  // contact's (visitor_id is kept). Returns how many moved. kValidationFailed when the
  // contact does not exist. Events of the same visitor already linked to another contact
  // stay where they are.
  virtual Result<std::int64_t> identify(const std::string& visitor_id, std::int64_t contact_id) = 0;

  // Retention: deletes at most `limit` events that occurred before `before_ms`; returns how
  // many. A caller deleting a backlog calls it again, in a new unit, until it returns less
  // than `limit` (the writer is never held for long: jobs::register_maintenance_jobs).
  virtual std::int64_t prune_before(std::int64_t before_ms, int limit) = 0;

  // A merge moves events with the rest of the contact: Transaction::repoint_contact moves the
  // merged contact's events too, and deleting a contact deletes its events.
};

// The checks append() applies to each event, `index` naming it in field errors.
Result<void> validate_new_event(const NewEvent& event, std::size_t index);

// The outbox event a caller records when consumers must see an appended event:
// type "event.<name>" (workflow triggers), entity "contact", payload {event_id, name,
// occurred_at (stamp form), visitor_id?, properties}.
DomainEvent event_appended(const NewEvent& event, std::int64_t id, std::int64_t actor_user_id);

}  // namespace relais::domain
