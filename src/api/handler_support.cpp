#include "api/handler_support.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

#include "api/json_input.hpp"

namespace relais::api {
namespace {

constexpr int kMaxListLimit = 500;

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_state_changing(const std::string& method) {
  return method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

// Compares secrets without leaking, through timing, how many leading bytes matched.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Strictly digits, no sign, no leading/trailing junk, fits in int64.
std::optional<std::int64_t> parse_positive(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return std::nullopt;
  if (text.front() == '+' || text.front() == '-') return std::nullopt;
  return value;
}

// Drops the "[json.exception.parse_error.101] " prefix: the rest says where and what.
std::string parser_message(const std::string& what) {
  const auto close = what.find("] ");
  return close == std::string::npos ? what : what.substr(close + 2);
}

}  // namespace

Result<Caller> authenticate_caller(http::Request& request, domain::Services& services) {
  Caller caller;
  const std::string authorization = request.header("authorization");
  if (!authorization.empty()) {
    const std::string_view value = trim(authorization);
    if (value.size() <= 7 || lower(value.substr(0, 7)) != "bearer ") {
      return Error::unauthorized("Authorization header must be \"Bearer <token>\"");
    }
    caller.token = std::string(trim(value.substr(7)));
  } else if (auto cookie = request.cookie(kSessionCookie); cookie && !cookie->empty()) {
    caller.token = *cookie;
    caller.via_cookie = true;
  } else {
    return Error::unauthorized();
  }

  RELAIS_ASSIGN_OR_RETURN(caller.auth, services.auth.authenticate(caller.token));
  // The CSRF check applies to what browsers send by themselves (cookies), never to bearer
  // tokens, which a page on another origin cannot attach.
  if (caller.via_cookie && is_state_changing(request.method) &&
      !same_secret(request.header(kCsrfHeader), caller.auth.csrf_token)) {
    return Error::forbidden("missing or invalid CSRF token");
  }
  // A read-scoped API token reads and nothing else, whatever the route (see TokenService).
  if (request.method != "GET" && request.method != "HEAD" &&
      !domain::scopes_allow_write(caller.auth.scopes)) {
    return Error::forbidden("this API token has the read scope only");
  }
  request.user_id = caller.auth.actor.user_id;
  return caller;
}

Result<domain::Actor> authenticate(http::Request& request, domain::Services& services) {
  RELAIS_ASSIGN_OR_RETURN(Caller caller, authenticate_caller(request, services));
  return std::move(caller.auth.actor);
}

http::Handler authenticated(domain::Services& services, ActorHandler handler) {
  return [&services, handler = std::move(handler)](http::Request& request) {
    auto actor = authenticate(request, services);
    if (!actor.ok()) return http::Response::error(actor.error());
    return handler(request, actor.value());
  };
}

Result<Json> parse_json_object(const http::Request& request) {
  const std::string content_type = request.header("content-type");
  const std::string media_type =
      lower(trim(std::string_view(content_type)
                     .substr(0, std::min(content_type.find(';'), content_type.size()))));
  if (media_type != "application/json") {
    return Error{ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json"};
  }
  if (trim(request.body).empty()) return Error::bad_request("request body is empty");
  if (auto bad = find_invalid_utf8(request.body)) {
    Error error =
        Error::bad_request("request body is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    error.details["position"] = *bad;
    return error;
  }
  if (auto deep = find_excessive_nesting(request.body)) {
    Error error = Error::bad_request("JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                                     " levels (byte " + std::to_string(*deep) + ")");
    error.details["position"] = *deep;
    return error;
  }
  Json body;
  try {
    body = Json::parse(request.body);
  } catch (const Json::parse_error& e) {
    // nlohmann reports bad JSON only by exception; it is turned into a value right here.
    Error error = Error::bad_request("malformed JSON: " + parser_message(e.what()));
    error.details["position"] = e.byte;
    return error;
  } catch (const Json::exception& e) {
    // A number beyond double's range ("1e400") is well-formed JSON that nlohmann refuses
    // with out_of_range.406: as much the client's fault as a syntax error.
    return Error::bad_request("JSON number out of range: " + parser_message(e.what()));
  }
  if (!body.is_object()) return Error::bad_request("request body must be a JSON object");
  return body;
}

Result<void> reject_unknown_fields(const Json& body, std::initializer_list<const char*> allowed) {
  std::map<std::string, std::string> unknown;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) unknown[key] = "unknown field";
  }
  if (!unknown.empty()) return Error::validation("unknown fields in request", std::move(unknown));
  return {};
}

Result<domain::ListRequest> parse_list_request(const http::Request& request) {
  domain::ListRequest list;
  if (auto limit = request.query_param("limit")) {
    const auto value = parse_positive(*limit);
    if (!value || *value > kMaxListLimit) {
      Error error = Error::bad_request("limit must be an integer between 1 and 500");
      error.fields["limit"] = "must be an integer between 1 and 500";
      return error;
    }
    list.limit = static_cast<int>(*value);
  }
  // Query parameters arrive percent-decoded, so "%FF" is a raw byte here: refuse it before
  // it reaches the search index or an error message.
  for (auto [name, target] : {std::pair{"cursor", &list.cursor}, std::pair{"q", &list.q},
                              std::pair{"sort", &list.sort}, std::pair{"filter", &list.filter}}) {
    *target = request.query_param(name).value_or("");
    if (auto bad = find_invalid_utf8(*target)) {
      Error error = Error::bad_request(std::string("query parameter ") + name +
                                       " is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
      error.details["position"] = *bad;
      return error;
    }
  }
  return list;
}

Result<std::int64_t> parse_id(const std::string& text) {
  if (auto id = parse_positive(text)) return *id;
  return Error::not_found("no record with id \"" + text + "\"");
}

Result<std::optional<std::int64_t>> parse_if_match(const http::Request& request) {
  const std::string raw = request.header("if-match");
  std::string_view value = trim(raw);
  if (value.empty()) return std::optional<std::int64_t>{};
  if (value == "*") return std::optional<std::int64_t>{};  // any current version
  if (value.substr(0, 2) == "W/") value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (auto version = parse_positive(value)) return std::optional<std::int64_t>{*version};
  return Error::bad_request("If-Match must be a record version such as \"3\"");
}

}  // namespace relais::api
