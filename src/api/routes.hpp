// Registers every /api/v1 route on the router. Handlers are thin: parse the request, call a
// domain service, render JSON.
#pragma once

#include "domain/services.hpp"
#include "http/client_address.hpp"
#include "http/router.hpp"

namespace relais::api {

struct ApiOptions {
  // Set the Secure flag on the session cookie (served over TLS). Without it the flag is still
  // set on a request that a trusted proxy says came over HTTPS (X-Forwarded-Proto).
  bool secure_cookies = false;
  // Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (--trusted-proxy).
  http::TrustedProxies trusted_proxies;
};

void register_routes(http::Router& router, domain::Services& services, const ApiOptions& options);

// CSV import/export endpoints (api/import_export_routes.cpp).
void register_import_export_routes(http::Router& router, domain::Services& services);

}  // namespace relais::api
