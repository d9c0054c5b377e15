// Registers every /api/v1 route on the router. Handlers are thin: parse the request, call a
// domain service, render JSON.
#pragma once

#include "domain/services.hpp"
#include "http/router.hpp"

namespace relais::api {

struct ApiOptions {
  bool secure_cookies = false;  // set the Secure flag on the session cookie (behind TLS)
};

void register_routes(http::Router& router, domain::Services& services, const ApiOptions& options);

// CSV import/export endpoints (api/import_export_routes.cpp).
void register_import_export_routes(http::Router& router, domain::Services& services);

}  // namespace relais::api
