// Engine-neutral parts of the event log (domain/events/event_log.hpp): batch validation,
// the keyset cursor of a contact's events, and the distinct names and contacts of a batch.
// Each engine's EventLog (sqlite_event_log, pg_event_log) runs its own SQL around these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/events/event_log.hpp"

namespace relais::storage {

// Every event valid (domain::validate_new_event) and at most kMaxEventBatch of them.
Result<void> validate_event_batch(const std::vector<domain::NewEvent>& batch);

// The distinct names and contact ids of a batch, sorted.
std::vector<std::string> distinct_names(const std::vector<domain::NewEvent>& batch);
std::vector<std::int64_t> distinct_contacts(const std::vector<domain::NewEvent>& batch);

// The error append() returns for a contact_id that names no contact (the first event of the
// batch that names it).
Error unknown_contact(const std::vector<domain::NewEvent>& batch, std::int64_t contact_id);

// The keyset position after an event of a contact's newest-first list.
struct EventPosition {
  std::int64_t occurred_at_ms = 0;
  std::int64_t id = 0;
};
std::string encode_event_cursor(const EventPosition& after);
// kBadRequest "invalid cursor" for anything encode_event_cursor did not make. An empty
// cursor is the start: a position after every event.
Result<EventPosition> decode_event_cursor(const std::string& cursor);

// The highest occurred_at a page after `after` can hold: the cursor's, or less when the
// query ends earlier (`to_ms` is exclusive). One bound for the index to seek to.
std::int64_t newest_bound(const domain::ContactEventQuery& query, const EventPosition& after);

// Names asked for, sorted and without duplicates (the order bucket_counts answers in).
std::vector<std::string> sorted_names(std::vector<std::string> names);

}  // namespace relais::storage
