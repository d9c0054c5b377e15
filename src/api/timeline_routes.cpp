// A record's history (activities, notes, tasks, stage changes, field changes), newest first.
#include <string>

#include "api/handler_support.hpp"
#include "api/rendering.hpp"
#include "api/route_groups.hpp"
#include "domain/schema/entity_schema.hpp"
#include "domain/timeline/timeline_service.hpp"

namespace relais::api {
namespace {

http::Response timeline(http::Request& request, domain::Services& services,
                        const std::string& entity, const domain::Actor& actor) {
  auto id = parse_id(request.path_params["id"]);
  if (!id.ok()) return http::Response::error(id.error());
  auto list_request = parse_list_request(request);
  if (!list_request.ok()) return http::Response::error(list_request.error());
  return render_or_error(
      services.timeline->timeline(actor, entity, id.value(), list_request->limit,
                                  list_request->cursor),
      [](const domain::Page& page) { return http::Response::json(200, page_json(page)); });
}

}  // namespace

void register_timeline_routes(http::Router& router, domain::Services& services) {
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    if (!schema->has_timeline) continue;
    const std::string entity = schema->name;
    router.add(
        "GET", "/api/v1/" + schema->plural + "/{id}/timeline",
        authenticated(services, [&services, entity](http::Request& r, const domain::Actor& a) {
          return timeline(r, services, entity, a);
        }));
  }
}

}  // namespace relais::api
