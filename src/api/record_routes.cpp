// The generic CRUD routes, one set per record type in the schema registry.
#include <string>

#include "api/handler_support.hpp"
#include "api/rendering.hpp"
#include "api/route_groups.hpp"

namespace relais::api {
namespace {

http::Response list(http::Request& request, domain::RecordService& records,
                    const domain::Actor& actor) {
  auto list_request = parse_list_request(request);
  if (!list_request.ok()) return http::Response::error(list_request.error());
  return render_or_error(records.list_text(actor, list_request.value()),
                         [](const domain::PageText& page) { return page_text_response(page); });
}

// POST /api/v1/users may carry a "password": that user is created through the auth service,
// which hashes it; the password never reaches the generic record path.
Result<Json> create_user_with_password(domain::Services& services, const domain::Actor& actor,
                                       Json body) {
  const Json password = body["password"];
  body.erase("password");
  if (!password.is_string() || password.get_ref<const std::string&>().empty()) {
    return Error::field("password", "must be a non-empty string");
  }
  return services.auth.create_user(actor, body, password.get<std::string>());
}

http::Response create(http::Request& request, domain::Services& services,
                      domain::RecordService& records, const domain::Actor& actor) {
  auto body = parse_json_object(request);
  if (!body.ok()) return http::Response::error(body.error());
  const bool user_with_password = records.schema().name == "user" && body->contains("password");
  auto created = user_with_password
                     ? create_user_with_password(services, actor, std::move(body).value())
                     : records.create(actor, body.value());
  if (!created.ok()) return http::Response::error(created.error());
  http::Response response = record_response(201, created.value());
  if (const auto id = created->find("id"); id != created->end() && id->is_number_integer()) {
    response.set_header("Location", "/api/v1/" + records.schema().plural + "/" +
                                        std::to_string(id->get<std::int64_t>()));
  }
  return response;
}

http::Response get(http::Request& request, domain::RecordService& records,
                   const domain::Actor& actor) {
  auto id = parse_id(request.path_params["id"]);
  if (!id.ok()) return http::Response::error(id.error());
  return render_or_error(records.get(actor, id.value()),
                         [](const Json& record) { return record_response(200, record); });
}

http::Response update(http::Request& request, domain::RecordService& records,
                      const domain::Actor& actor) {
  auto id = parse_id(request.path_params["id"]);
  if (!id.ok()) return http::Response::error(id.error());
  auto if_match = parse_if_match(request);
  if (!if_match.ok()) return http::Response::error(if_match.error());
  auto patch = parse_json_object(request);
  if (!patch.ok()) return http::Response::error(patch.error());
  return render_or_error(records.update(actor, id.value(), patch.value(), if_match.value()),
                         [](const Json& record) { return record_response(200, record); });
}

http::Response remove(http::Request& request, domain::RecordService& records,
                      const domain::Actor& actor) {
  auto id = parse_id(request.path_params["id"]);
  if (!id.ok()) return http::Response::error(id.error());
  auto if_match = parse_if_match(request);
  if (!if_match.ok()) return http::Response::error(if_match.error());
  auto removed = records.remove(actor, id.value(), if_match.value());
  if (!removed.ok()) return http::Response::error(removed.error());
  return http::Response::no_content();
}

}  // namespace

void register_record_routes(http::Router& router, domain::Services& services) {
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    domain::RecordService* found = services.by_plural(schema->plural);
    if (found == nullptr) continue;  // a schema without a service has no routes
    domain::RecordService& records = *found;
    const std::string collection = "/api/v1/" + schema->plural;
    const std::string item = collection + "/{id}";
    router.add("GET", collection,
               authenticated(services, [&records](http::Request& r, const domain::Actor& a) {
                 return list(r, records, a);
               }));
    router.add(
        "POST", collection,
        authenticated(services, [&services, &records](http::Request& r, const domain::Actor& a) {
          return create(r, services, records, a);
        }));
    router.add("GET", item,
               authenticated(services, [&records](http::Request& r, const domain::Actor& a) {
                 return get(r, records, a);
               }));
    router.add("PATCH", item,
               authenticated(services, [&records](http::Request& r, const domain::Actor& a) {
                 return update(r, records, a);
               }));
    router.add("DELETE", item,
               authenticated(services, [&records](http::Request& r, const domain::Actor& a) {
                 return remove(r, records, a);
               }));
  }
}

}  // namespace relais::api
