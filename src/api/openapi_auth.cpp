// OpenAPI description of sign-in, sessions and API tokens (auth_routes.cpp, token_routes.cpp).
#include <string>

#include "api/openapi_support.hpp"

namespace relais::api {

void add_auth_paths(Json& paths) {
  Json login = operation("login", "Sign in with e-mail and password", "auth");
  login["security"] = Json::array();
  login["requestBody"] = json_body(schema_ref("LoginRequest"));
  login["description"] =
      "A wrong password, an unknown e-mail and a disabled account get the same 401. Failed "
      "attempts are throttled per (account, client address) with exponential back-off, and per "
      "client address over all accounts: 429 rate_limited with Retry-After. The client address "
      "is the socket peer, or the right-most untrusted X-Forwarded-For hop when the peer is a "
      "trusted proxy (relais serve --trusted-proxy). Sessions end after 12 hours without use "
      "and 7 days after sign-in (configurable).";
  login["responses"]["200"] =
      json_response("signed in; also sets the relais_session cookie", schema_ref("LoginResponse"));
  login["responses"]["200"]["headers"] = {
      {"Set-Cookie",
       {{"description",
         "relais_session=<token>; Path=/; HttpOnly; SameSite=Lax; Max-Age=<seconds> (and "
         "Secure when served over TLS: --secure-cookies, or X-Forwarded-Proto: https from a "
         "trusted proxy)"},
        {"schema", {{"type", "string"}}}}}};
  add_errors(login, kBodyErrors);
  add_errors(login, {ErrorCode::kUnauthorized, ErrorCode::kRateLimited});
  login["responses"]["429"] = {
      {"description", "too many failed sign-ins; retry after the given seconds"},
      {"headers", {{"Retry-After", {{"schema", {{"type", "integer"}, {"minimum", 1}}}}}}},
      {"content", json_content(schema_ref("Error"))}};
  paths["/api/v1/auth/login"]["post"] = std::move(login);

  Json logout =
      operation("logout", "End the session (or revoke the API token) of this call", "auth");
  logout["responses"]["204"] = {{"description", "signed out; the session cookie is cleared"}};
  add_errors(logout, kAuthErrors);
  paths["/api/v1/auth/logout"]["post"] = std::move(logout);

  Json me = operation("me", "The signed-in user", "auth");
  me["responses"]["200"] = json_response("the user", schema_ref("Me"));
  add_errors(me, kAuthErrors);
  paths["/api/v1/auth/me"]["get"] = std::move(me);

  Json update_me = operation(
      "update_me", "Change your own name, language or time zone (every role may)", "auth");
  update_me["requestBody"] = json_body(schema_ref("ProfileUpdate"));
  update_me["responses"]["200"] = json_response("the updated user", schema_ref("ProfileResponse"));
  add_errors(update_me, kAuthErrors);
  add_errors(update_me, kBodyErrors);
  paths["/api/v1/auth/me"]["patch"] = std::move(update_me);

  Json password = operation("change_password", "Change your own password", "auth");
  password["description"] =
      "A wrong current password is 422 validation_failed with fields.current_password; "
      "repeated wrong attempts are rate limited. On success every other session and API token "
      "of the user is revoked; the session or token that made this call stays valid.";
  password["requestBody"] = json_body(schema_ref("PasswordChange"));
  password["responses"]["204"] = {{"description", "the new password is in effect"}};
  add_errors(password, kAuthErrors);
  add_errors(password, kBodyErrors);
  add_errors(password, {ErrorCode::kRateLimited, ErrorCode::kConflict});
  paths["/api/v1/auth/password"]["post"] = std::move(password);

  Json token = operation("create_api_token", "Create a long-lived API token", "auth");
  token["description"] =
      "Scopes: read (GET and HEAD only; any other method is 403 forbidden) and write (all the "
      "user's role allows; implies read). Default: the caller's own scopes; a token never "
      "holds a scope the token that creates it lacks (403). Expiry: expires_at or "
      "expires_in_days (1 to 3650), default 90 days; expires_at null = never, administrators "
      "only. A token created with an API token records it as parent_id, cannot outlive it, "
      "and is revoked with it. At most 100 tokens per user (409).";
  token["requestBody"] = json_body(schema_ref("TokenRequest"));
  token["responses"]["201"] = json_response("the token; its clear value is shown only this once",
                                            schema_ref("NewApiToken"));
  add_errors(token, kAuthErrors);
  add_errors(token, kBodyErrors);
  add_errors(token, {ErrorCode::kConflict});
  paths["/api/v1/tokens"]["post"] = std::move(token);

  Json tokens = operation("list_api_tokens", "Your API tokens (never their secret)", "auth");
  tokens["parameters"] = Json::array({{{"name", "user_id"},
                                       {"in", "query"},
                                       {"required", false},
                                       {"description", "administrators: another user's tokens"},
                                       {"schema", {{"type", "integer"}, {"minimum", 1}}}}});
  tokens["responses"]["200"] = json_response(
      "every token of the user, newest first, expired ones included", schema_ref("ApiTokenList"));
  add_errors(tokens, kAuthErrors);
  add_errors(tokens, {ErrorCode::kBadRequest});
  paths["/api/v1/tokens"]["get"] = std::move(tokens);

  Json revoke =
      operation("revoke_api_token", "Revoke a token and every token created with it", "auth");
  revoke["parameters"] = Json::array({param_ref("id")});
  revoke["responses"]["204"] = {{"description", "revoked; it stops working at once"}};
  add_errors(revoke, kAuthErrors);
  add_errors(revoke, {ErrorCode::kNotFound});
  paths["/api/v1/tokens/{id}"]["delete"] = std::move(revoke);
}

}  // namespace relais::api
