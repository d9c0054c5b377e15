#include "domain/timeline/timeline_service.hpp"

#include "domain/auth/permissions.hpp"

namespace relais::domain {

TimelineService::TimelineService(Store& store) : store_(store) {}

Result<Page> TimelineService::timeline(const Actor& actor, const std::string& entity,
                                       std::int64_t id, int limit, const std::string& cursor) {
  const EntitySchema* found = find_schema(entity);
  if (found == nullptr || !found->has_timeline) {
    return Error::not_found("records of type '" + entity + "' have no timeline");
  }
  if (limit < 1 || limit > 500) return Error::bad_request("limit must be between 1 and 500");
  const EntitySchema& schema = *found;
  Page page;
  auto done = store_.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json record, tx.get(schema, id));
    if (!can_read(actor, schema, record)) {
      return Error::not_found(entity + " " + std::to_string(id) + " not found");
    }
    TimelineQuery query{schema.name, id, limit, cursor, timeline_children(schema)};
    for (TimelineChild& child : query.children) {
      child.visibility = visibility_as_listed(actor, *child.schema);
    }
    RELAIS_ASSIGN_OR_RETURN(page, tx.timeline(query));
    return Json();
  });
  if (!done.ok()) return std::move(done).error();
  return page;
}

}  // namespace relais::domain
