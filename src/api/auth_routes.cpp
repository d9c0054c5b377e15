// Sign-in, sign-out, the current user (API tokens: token_routes.cpp).
#include <chrono>
#include <map>
#include <string>

#include "api/handler_support.hpp"
#include "api/rendering.hpp"
#include "api/route_groups.hpp"
#include "domain/records/values.hpp"

namespace relais::api {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Secure when the deployment says it is served over TLS, or when a trusted proxy says this
// request came over HTTPS.
bool secure_request(const http::Request& request, const ApiOptions& options) {
  return options.secure_cookies || http::forwarded_https(request, options.trusted_proxies);
}

std::string session_cookie(const std::string& value, std::int64_t max_age_seconds, bool secure) {
  std::string cookie =
      std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Lax";
  if (max_age_seconds >= 0) cookie += "; Max-Age=" + std::to_string(max_age_seconds);
  if (secure) cookie += "; Secure";
  return cookie;
}

// `"session": "cookie"` asks for a cookie-only session: the token is set in the HttpOnly
// cookie and left out of the body, so no page script ever sees it (the web UI signs in this
// way). `"token"`, the default, also returns it in the body for API clients.
Result<bool> wants_cookie_only(const Json& body) {
  const auto it = body.find("session");
  if (it == body.end() || it->is_null()) return false;
  if (it->is_string() && *it == "cookie") return true;
  if (it->is_string() && *it == "token") return false;
  return Error::field("session", "must be \"cookie\" or \"token\"");
}

http::Response login(http::Request& request, domain::Services& services,
                     const ApiOptions& options) {
  auto body = parse_json_object(request);
  if (!body.ok()) return http::Response::error(body.error());
  if (auto checked = reject_unknown_fields(*body, {"email", "password", "session"});
      !checked.ok()) {
    return http::Response::error(checked.error());
  }
  std::map<std::string, std::string> missing;
  for (const char* name : {"email", "password"}) {
    const auto it = body->find(name);
    if (it == body->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      missing[name] = "required, a non-empty string";
    }
  }
  if (!missing.empty()) {
    return http::Response::error(Error::validation("email and password are required", missing));
  }
  const auto cookie_only = wants_cookie_only(*body);
  if (!cookie_only.ok()) return http::Response::error(cookie_only.error());

  auto result = services.auth.login((*body)["email"].get<std::string>(),
                                    (*body)["password"].get<std::string>(),
                                    http::client_address(request, options.trusted_proxies));
  if (!result.ok()) return http::Response::error(result.error());
  const domain::LoginResult& session = result.value();
  if (session.user.is_object() && session.user.contains("id") &&
      session.user["id"].is_number_integer()) {
    request.user_id = session.user["id"].get<std::int64_t>();
  }

  Json out{{"csrf_token", session.csrf_token},
           {"user", session.user},
           {"expires_at", session.expires_at_ms > 0
                              ? Json(domain::format_epoch_ms(session.expires_at_ms))
                              : Json(nullptr)}};
  if (!*cookie_only) out["token"] = session.token;
  http::Response response = http::Response::json(200, out);
  const std::int64_t max_age =
      session.expires_at_ms > 0
          ? std::max<std::int64_t>(0, (session.expires_at_ms - now_ms()) / 1000)
          : -1;
  response.set_header("Set-Cookie",
                      session_cookie(session.token, max_age, secure_request(request, options)));
  response.set_header("Cache-Control", "no-store");
  return response;
}

http::Response logout(http::Request& request, domain::Services& services,
                      const ApiOptions& options) {
  auto caller = authenticate_caller(request, services);
  if (!caller.ok()) return http::Response::error(caller.error());
  // Ends the session, or revokes the API token, that authenticated this very call.
  if (auto done = services.auth.logout(caller->token,
                                       http::client_address(request, options.trusted_proxies));
      !done.ok()) {
    return http::Response::error(done.error());
  }
  http::Response response = http::Response::no_content();
  response.set_header("Set-Cookie", session_cookie("", 0, secure_request(request, options)));
  return response;
}

http::Response me(http::Request& request, domain::Services& services) {
  auto caller = authenticate_caller(request, services);
  if (!caller.ok()) return http::Response::error(caller.error());
  // A user may always read their own record, whatever their role allows on other users.
  auto user = services.users.get(domain::Actor::system(), caller->auth.actor.user_id);
  if (!user.ok()) return http::Response::error(user.error());
  Json out{{"user", user.value()}, {"kind", caller->auth.kind}};
  if (caller->via_cookie) out["csrf_token"] = caller->auth.csrf_token;
  http::Response response = http::Response::json(200, out);
  response.set_header("Cache-Control", "no-store");
  return response;
}

// The signed-in user changes their own name, language or time zone, whatever their role.
http::Response update_me(http::Request& request, domain::Services& services,
                         const domain::Actor& actor) {
  auto body = parse_json_object(request);
  if (!body.ok()) return http::Response::error(body.error());
  auto user = services.auth.update_own_profile(actor, *body);
  if (!user.ok()) return http::Response::error(user.error());
  http::Response response = http::Response::json(200, Json{{"user", user.value()}});
  response.set_header("Cache-Control", "no-store");
  return response;
}

http::Response change_password(http::Request& request, domain::Services& services,
                               const ApiOptions& options) {
  // The caller's token is needed, not only the actor: it is the one session kept signed in.
  auto caller = authenticate_caller(request, services);
  if (!caller.ok()) return http::Response::error(caller.error());
  auto body = parse_json_object(request);
  if (!body.ok()) return http::Response::error(body.error());
  if (auto checked = reject_unknown_fields(*body, {"current_password", "new_password"});
      !checked.ok()) {
    return http::Response::error(checked.error());
  }
  std::map<std::string, std::string> missing;
  for (const char* name : {"current_password", "new_password"}) {
    const auto it = body->find(name);
    if (it == body->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      missing[name] = "required, a non-empty string";
    }
  }
  if (!missing.empty()) {
    return http::Response::error(
        Error::validation("current_password and new_password are required", missing));
  }
  auto done = services.auth.change_password(
      caller->auth.actor, (*body)["current_password"].get<std::string>(),
      (*body)["new_password"].get<std::string>(), caller->token,
      http::client_address(request, options.trusted_proxies));
  if (!done.ok()) return http::Response::error(done.error());
  return http::Response::no_content();
}

}  // namespace

void register_auth_routes(http::Router& router, domain::Services& services,
                          const ApiOptions& options) {
  router.add("POST", "/api/v1/auth/login", [&services, options](http::Request& request) {
    return login(request, services, options);
  });
  router.add("POST", "/api/v1/auth/logout", [&services, options](http::Request& request) {
    return logout(request, services, options);
  });
  router.add("GET", "/api/v1/auth/me",
             [&services](http::Request& request) { return me(request, services); });
  router.add(
      "PATCH", "/api/v1/auth/me",
      authenticated(services, [&services](http::Request& request, const domain::Actor& actor) {
        return update_me(request, services, actor);
      }));
  router.add("POST", "/api/v1/auth/password", [&services, options](http::Request& request) {
    return change_password(request, services, options);
  });
}

}  // namespace relais::api
