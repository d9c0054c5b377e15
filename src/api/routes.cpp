#include "api/routes.hpp"

#include "api/route_groups.hpp"

namespace relais::api {

void register_routes(http::Router& router, domain::Services& services, const ApiOptions& options) {
  register_auth_routes(router, services, options);
  register_token_routes(router, services);
  register_record_routes(router, services);
  register_contact_routes(router, services);
  register_company_routes(router, services);
  register_timeline_routes(router, services);
  register_job_routes(router, services);
  register_job_stream_routes(router, services);
  register_schema_routes(router, services);
  register_openapi_route(router);
  // register_import_export_routes() is wired by the serve command, not here.
}

}  // namespace relais::api
