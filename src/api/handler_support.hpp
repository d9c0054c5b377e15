// Shared by every API handler file: authentication, body parsing, list parameters.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/records/record_service.hpp"
#include "domain/services.hpp"
#include "http/request.hpp"
#include "http/router.hpp"

namespace relais::api {

inline constexpr const char* kSessionCookie = "relais_session";
inline constexpr const char* kCsrfHeader = "x-csrf-token";

// Resolves the actor from "Authorization: Bearer <token>" or the session cookie. A
// cookie-authenticated POST/PATCH/PUT/DELETE must carry the session's X-CSRF-Token.
Result<domain::Actor> authenticate(http::Request& request, domain::Services& services);

// How a call was authenticated; authenticate() keeps only the actor. Used by the auth routes
// (logout needs the token, /auth/me reports the session's CSRF token).
struct Caller {
  domain::Authenticated auth;
  std::string token;        // the bearer token or cookie value that authenticated the call
  bool via_cookie = false;  // cookie sessions need CSRF on writes
};
Result<Caller> authenticate_caller(http::Request& request, domain::Services& services);

using ActorHandler = std::function<http::Response(http::Request&, const domain::Actor&)>;
// Wraps a handler that needs a signed-in actor; answers 401/403 itself otherwise.
http::Handler authenticated(domain::Services& services, ActorHandler handler);

// Requires Content-Type application/json, valid UTF-8 JSON, and an object at the top.
Result<Json> parse_json_object(const http::Request& request);

// kValidationFailed naming every member of `body` not in `allowed` (fields: "unknown field").
Result<void> reject_unknown_fields(const Json& body, std::initializer_list<const char*> allowed);

// ?limit= ?cursor= ?q= ?sort= ?filter= ; kBadRequest on a malformed limit.
Result<domain::ListRequest> parse_list_request(const http::Request& request);

// Parses a path parameter as a positive integer id; kNotFound otherwise.
Result<std::int64_t> parse_id(const std::string& text);

// "If-Match: \"3\"" (or 3, or W/"3") → 3; kBadRequest when present but malformed.
Result<std::optional<std::int64_t>> parse_if_match(const http::Request& request);

}  // namespace relais::api
