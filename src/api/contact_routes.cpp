// Contact-specific routes: merging a duplicate into a surviving contact.
#include <string>

#include "api/handler_support.hpp"
#include "api/rendering.hpp"
#include "api/route_groups.hpp"
#include "domain/contacts/contact_merge_service.hpp"

namespace relais::api {
namespace {

// {"from": 42} or {"from": "42"}: ids are integers but may arrive as strings.
Result<std::int64_t> merge_source(const Json& body) {
  const auto from = body.find("from");
  if (from != body.end()) {
    if (from->is_number_integer() && from->get<std::int64_t>() > 0) {
      return from->get<std::int64_t>();
    }
    if (from->is_string()) {
      if (auto id = parse_id(from->get<std::string>()); id.ok()) return id.value();
    }
  }
  return Error::field("from", "required, the id of the contact to merge into this one");
}

http::Response merge(http::Request& request, domain::Services& services,
                     const domain::Actor& actor) {
  auto into = parse_id(request.path_params["id"]);
  if (!into.ok()) return http::Response::error(into.error());
  auto body = parse_json_object(request);
  if (!body.ok()) return http::Response::error(body.error());
  if (auto checked = reject_unknown_fields(*body, {"from"}); !checked.ok()) {
    return http::Response::error(checked.error());
  }
  auto from = merge_source(*body);
  if (!from.ok()) return http::Response::error(from.error());
  if (from.value() == into.value()) {
    return http::Response::error(Error::field("from", "cannot merge a contact into itself"));
  }
  return render_or_error(services.merge->merge(actor, into.value(), from.value()),
                         [](const Json& record) { return record_response(200, record); });
}

}  // namespace

void register_contact_routes(http::Router& router, domain::Services& services) {
  router.add("POST", "/api/v1/contacts/{id}/merge",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               return merge(r, services, a);
             }));
}

}  // namespace relais::api
