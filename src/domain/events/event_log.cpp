#include "domain/events/event_log.hpp"

#include <fmt/format.h>

#include "domain/records/values.hpp"
#include "domain/store.hpp"

namespace relais::domain {
namespace {

// 9999-12-31T23:59:59.999Z: the stamp form has four year digits.
constexpr std::int64_t kLastInstantMs = 253'402'300'799'999;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
         c == ':';
}

}  // namespace

Result<void> validate_new_event(const NewEvent& event, std::size_t index) {
  const auto field = [index](const char* name) {
    return fmt::format("events[{}].{}", index, name);
  };
  if (!event.contact_id && event.visitor_id.empty()) {
    return Error::field(field("contact_id"), "an event needs a contact_id or a visitor_id");
  }
  if (event.contact_id && *event.contact_id <= 0) {
    return Error::field(field("contact_id"), "must be a positive id");
  }
  if (event.visitor_id.size() > kMaxVisitorIdBytes) {
    return Error::field(field("visitor_id"),
                        fmt::format("at most {} characters", kMaxVisitorIdBytes));
  }
  for (const char c : event.visitor_id) {
    if (c <= ' ' || c > '~') {
      return Error::field(field("visitor_id"), "printable ASCII characters only");
    }
  }
  if (event.name.empty() || event.name.size() > kMaxEventNameBytes) {
    return Error::field(field("name"), fmt::format("1 to {} characters", kMaxEventNameBytes));
  }
  for (const char c : event.name) {
    if (!is_name_char(c)) {
      return Error::field(field("name"), "lower-case letters, digits, '_', '.', '-' and ':' only");
    }
  }
  if (event.occurred_at_ms <= 0 || event.occurred_at_ms > kLastInstantMs) {
    return Error::field(field("occurred_at"), "must be between 1970 and 9999");
  }
  if (!event.properties.is_object()) {
    return Error::field(field("properties"), "must be a JSON object");
  }
  if (!event.properties.empty()) {
    const std::string text = event.properties.dump();
    if (text.size() > kMaxEventPropertiesBytes) {
      return Error::field(field("properties"),
                          fmt::format("at most {} bytes of JSON", kMaxEventPropertiesBytes));
    }
    // PostgreSQL's jsonb cannot hold U+0000: refused on every engine alike.
    if (text.find("\\u0000") != std::string::npos) {
      return Error::field(field("properties"), "must not contain NUL characters");
    }
  }
  return {};
}

DomainEvent event_appended(const NewEvent& event, std::int64_t id, std::int64_t actor_user_id) {
  Json payload{{"event_id", id},
               {"name", event.name},
               {"occurred_at", format_epoch_ms(event.occurred_at_ms)},
               {"properties", event.properties}};
  if (!event.visitor_id.empty()) payload["visitor_id"] = event.visitor_id;
  return DomainEvent{
      .type = "event." + event.name,
      .entity = "contact",
      .record_id = event.contact_id.value_or(0),
      .actor_user_id = actor_user_id,
      .payload = std::move(payload),
  };
}

}  // namespace relais::domain
