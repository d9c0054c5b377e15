// API tokens: POST /api/v1/tokens (create), GET /api/v1/tokens (list, ?user_id= for admins),
// DELETE /api/v1/tokens/{id} (revoke, with every token minted from it). Rules: TokenService.
#include <algorithm>
#include <string>
#include <vector>

#include "api/handler_support.hpp"
#include "api/iso_time.hpp"
#include "api/route_groups.hpp"
#include "domain/auth/token_service.hpp"
#include "domain/records/values.hpp"

namespace relais::api {
namespace {

using domain::TokenRequest;

http::Response no_store(http::Response response) {
  response.set_header("Cache-Control", "no-store");
  return response;
}

// The JSON body of POST /api/v1/tokens -> TokenRequest; kValidationFailed naming the field.
Result<TokenRequest> parse_token_request(const Json& body) {
  RELAIS_TRY(reject_unknown_fields(body, {"name", "scopes", "expires_at", "expires_in_days"}));
  TokenRequest request;
  const auto name = body.find("name");
  if (name == body.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return Error::field("name", "required, a non-empty string");
  }
  request.name = name->get<std::string>();

  if (const auto scopes = body.find("scopes"); scopes != body.end()) {
    if (!scopes->is_array() ||
        !std::all_of(scopes->begin(), scopes->end(), [](const Json& s) { return s.is_string(); })) {
      return Error::field("scopes", "must be a list of scopes: read, write");
    }
    request.scopes = scopes->get<std::vector<std::string>>();
  }

  const auto at = body.find("expires_at");
  const auto days = body.find("expires_in_days");
  if (at != body.end() && days != body.end()) {
    return Error::validation(
        "give expires_at or expires_in_days, not both",
        {{"expires_at", "not with expires_in_days"}, {"expires_in_days", "not with expires_at"}});
  }
  if (at != body.end()) {
    if (at->is_null()) {
      request.expiry = TokenRequest::Expiry::kNever;
    } else {
      const auto parsed =
          at->is_string() ? parse_iso8601(at->get_ref<const std::string&>()) : std::nullopt;
      if (!parsed) {
        return Error::field("expires_at",
                            "must be an ISO 8601 date-time such as 2026-12-31T23:59:59Z, or null "
                            "for a token that never expires (administrators only)");
      }
      request.expiry = TokenRequest::Expiry::kAt;
      request.expires_at_ms = *parsed;
    }
  } else if (days != body.end()) {
    // nlohmann keeps integers beyond int64 as unsigned, and 1e30 as a double: both refused.
    std::int64_t value = 0;
    if (days->is_number_unsigned()) {
      value =
          days->get<std::uint64_t>() <= static_cast<std::uint64_t>(domain::kMaxTokenLifetimeDays)
              ? days->get<std::int64_t>()
              : 0;
    } else if (days->is_number_integer()) {
      value = days->get<std::int64_t>();
    }
    if (value < 1 || value > domain::kMaxTokenLifetimeDays) {
      return Error::field("expires_in_days", "must be a whole number of days from 1 to 3650");
    }
    request.expiry = TokenRequest::Expiry::kAt;
    request.expires_at_ms = domain::now_epoch_ms() + value * 24LL * 3600 * 1000;
  }
  return request;
}

http::Response create_token(http::Request& request, domain::Services& services) {
  // The caller's token, not only the actor: a token minted by a token records its parent.
  auto caller = authenticate_caller(request, services);
  if (!caller.ok()) return http::Response::error(caller.error());
  auto body = parse_json_object(request);
  if (!body.ok()) return http::Response::error(body.error());
  auto parsed = parse_token_request(*body);
  if (!parsed.ok()) return http::Response::error(parsed.error());
  auto token = services.tokens.create(caller->auth.actor, caller->token, *parsed);
  if (!token.ok()) return http::Response::error(token.error());
  return no_store(http::Response::json(201, token.value()));
}

http::Response list_tokens(http::Request& request, domain::Services& services,
                           const domain::Actor& actor) {
  std::optional<std::int64_t> user_id;
  if (auto raw = request.query_param("user_id")) {
    auto id = parse_id(*raw);
    if (!id.ok()) {
      Error error = Error::bad_request("user_id must be a user id");
      error.fields["user_id"] = "must be a positive integer";
      return http::Response::error(error);
    }
    user_id = *id;
  }
  auto tokens = services.tokens.list(actor, user_id);
  if (!tokens.ok()) return http::Response::error(tokens.error());
  return no_store(http::Response::json(200, tokens.value()));
}

http::Response revoke_token(http::Request& request, domain::Services& services,
                            const domain::Actor& actor) {
  auto id = parse_id(request.path_params["id"]);
  if (!id.ok()) return http::Response::error(id.error());
  auto done = services.tokens.revoke(actor, *id);
  if (!done.ok()) return http::Response::error(done.error());
  return http::Response::no_content();
}

}  // namespace

void register_token_routes(http::Router& router, domain::Services& services) {
  router.add("POST", "/api/v1/tokens",
             [&services](http::Request& request) { return create_token(request, services); });
  router.add(
      "GET", "/api/v1/tokens",
      authenticated(services, [&services](http::Request& request, const domain::Actor& actor) {
        return list_tokens(request, services, actor);
      }));
  router.add(
      "DELETE", "/api/v1/tokens/{id}",
      authenticated(services, [&services](http::Request& request, const domain::Actor& actor) {
        return revoke_token(request, services, actor);
      }));
}

}  // namespace relais::api
