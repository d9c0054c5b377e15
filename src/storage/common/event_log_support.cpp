#include "storage/common/event_log_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "storage/common/keyset.hpp"

namespace relais::storage {

Result<void> validate_event_batch(const std::vector<domain::NewEvent>& batch) {
  if (batch.size() > domain::kMaxEventBatch) {
    return Error::field("events",
                        fmt::format("at most {} events per batch", domain::kMaxEventBatch));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    RELAIS_TRY(domain::validate_new_event(batch[i], i));
  }
  return {};
}

std::vector<std::string> distinct_names(const std::vector<domain::NewEvent>& batch) {
  std::vector<std::string> names;
  names.reserve(batch.size());
  for (const auto& e : batch) names.push_back(e.name);
  return sorted_names(std::move(names));
}

std::vector<std::int64_t> distinct_contacts(const std::vector<domain::NewEvent>& batch) {
  std::vector<std::int64_t> ids;
  ids.reserve(batch.size());
  for (const auto& e : batch) {
    if (e.contact_id) ids.push_back(*e.contact_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

Error unknown_contact(const std::vector<domain::NewEvent>& batch, std::int64_t contact_id) {
  std::size_t index = 0;
  while (index < batch.size() && batch[index].contact_id != contact_id) ++index;
  return Error::field(fmt::format("events[{}].contact_id", index),
                      fmt::format("no contact with id {}", contact_id));
}

std::string encode_event_cursor(const EventPosition& after) {
  return encode_cursor(Json::array({after.occurred_at_ms, after.id}));
}

Result<EventPosition> decode_event_cursor(const std::string& cursor) {
  if (cursor.empty()) {
    return EventPosition{std::numeric_limits<std::int64_t>::max(),
                         std::numeric_limits<std::int64_t>::max()};
  }
  RELAIS_ASSIGN_OR_RETURN(Json values, decode_cursor(cursor, 2));
  if (!values[0].is_number_integer()) return Error::bad_request("invalid cursor");
  return EventPosition{values[0].get<std::int64_t>(), values[1].get<std::int64_t>()};
}

std::int64_t newest_bound(const domain::ContactEventQuery& query, const EventPosition& after) {
  if (!query.to_ms || *query.to_ms == std::numeric_limits<std::int64_t>::min()) {
    return query.to_ms ? std::numeric_limits<std::int64_t>::min() : after.occurred_at_ms;
  }
  return std::min(*query.to_ms - 1, after.occurred_at_ms);
}

std::vector<std::string> sorted_names(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace relais::storage
