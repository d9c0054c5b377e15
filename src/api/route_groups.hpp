// The route groups register_routes() wires together; one file per resource area.
// Handlers capture `services` by reference: it outlives the router (both owned by serve).
#pragma once

#include "api/routes.hpp"

namespace relais::api {

void register_auth_routes(http::Router& router, domain::Services& services,
                          const ApiOptions& options);
// GET/POST /api/v1/<plural>, GET/PATCH/DELETE /api/v1/<plural>/{id} for every record type.
void register_record_routes(http::Router& router, domain::Services& services);
// POST /api/v1/contacts/{id}/merge
void register_contact_routes(http::Router& router, domain::Services& services);
// GET /api/v1/companies/{id}/contacts and /deals
void register_company_routes(http::Router& router, domain::Services& services);
// GET /api/v1/{contacts|companies|deals}/{id}/timeline
void register_timeline_routes(http::Router& router, domain::Services& services);
// GET /api/v1/jobs, GET /api/v1/jobs/{id}, POST /api/v1/jobs/{id}/retry (admins)
void register_job_routes(http::Router& router, domain::Services& services);
// GET /api/v1/jobs/stream (admins): server-sent events of job changes
void register_job_stream_routes(http::Router& router, domain::Services& services);
// POST/GET /api/v1/tokens, DELETE /api/v1/tokens/{id}
void register_token_routes(http::Router& router, domain::Services& services);
// GET /api/v1/schema: the record types, their fields and custom fields (schema_routes.cpp)
void register_schema_routes(http::Router& router, domain::Services& services);
// GET /api/v1/openapi.json
void register_openapi_route(http::Router& router);

}  // namespace relais::api
