// A company's contacts and deals: the ordinary list endpoints restricted to company_id.
#include <string>

#include "api/handler_support.hpp"
#include "api/rendering.hpp"
#include "api/route_groups.hpp"
#include "domain/query/filter_parser.hpp"

namespace relais::api {
namespace {

http::Response company_children(http::Request& request, domain::Services& services,
                                domain::RecordService& children, const domain::Actor& actor) {
  auto company_id = parse_id(request.path_params["id"]);
  if (!company_id.ok()) return http::Response::error(company_id.error());
  auto list_request = parse_list_request(request);
  if (!list_request.ok()) return http::Response::error(list_request.error());
  // The company itself must be visible: an unknown or hidden company is a 404, not [].
  if (auto company = services.companies.get(actor, company_id.value()); !company.ok()) {
    return http::Response::error(company.error());
  }

  domain::ListRequest scoped = list_request.value();
  const std::string restriction = "company_id = " + std::to_string(company_id.value());
  if (scoped.filter.find_first_not_of(" \t\r\n") == std::string::npos) {
    scoped.filter = restriction;
  } else {
    // Parse the caller's filter on its own first, so a syntax error reports the position
    // in what the caller typed rather than in the combined expression.
    if (auto parsed = domain::parse_filter(scoped.filter, children.schema()); !parsed.ok()) {
      return http::Response::error(parsed.error());
    }
    scoped.filter = restriction + " and (" + scoped.filter + ")";
  }
  return render_or_error(children.list(actor, scoped), [](const domain::Page& page) {
    return http::Response::json(200, page_json(page));
  });
}

}  // namespace

void register_company_routes(http::Router& router, domain::Services& services) {
  router.add("GET", "/api/v1/companies/{id}/contacts",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               return company_children(r, services, services.contacts, a);
             }));
  router.add("GET", "/api/v1/companies/{id}/deals",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               return company_children(r, services, services.deals, a);
             }));
}

}  // namespace relais::api
