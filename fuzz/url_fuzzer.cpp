// Fuzzes the request target (path and query string) of GET requests, end to end but without a
// socket: http::parse_target (percent-decoding, query pairs) as the server applies it to what
// Beast read, then the real route table (api::register_routes) matching the path and filling
// {id} parameters, the handler of the matched route for a signed-in admin (parse_id,
// parse_list_request's limit/cursor/q/sort/filter, If-Match, export.csv...) on a real
// database holding a few records (fuzz_support.hpp), or the static files of the web UI with
// their traversal checks. The input's first line is the target; a second line, when present,
// is sent as the Cookie header instead of the bearer token (cookie parsing, session lookup),
// a third as If-Match.
// Any answer but 500 is fine; a 500, an exception escaping a handler (which the server turns
// into a 500), a crash, or a static file served from outside the web root is a bug.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "api/routes.hpp"
#include "fuzz_support.hpp"
#include "http/request.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"

namespace {

namespace api = relais::api;
namespace domain = relais::domain;
namespace fuzz = relais::fuzz;
namespace http = relais::http;
namespace fs = std::filesystem;

constexpr std::string_view kSecret = "outside the web root";

struct Server {
  http::Router router;
  std::unique_ptr<http::StaticFiles> static_files;
  std::string bearer;
  fs::path web_root;

  Server() {
    domain::Services& services = fuzz::FuzzDatabase::get().services();
    api::register_routes(router, services, api::ApiOptions{});
    api::register_import_export_routes(router, services);
    const std::string password = "fuzz-password-très-long";
    fuzz::must(
        services.auth.create_user(
            domain::Actor::system(),
            {{"email", "admin@fuzz.relais.fr"}, {"name", "Fuzz"}, {"role", "admin"}}, password),
        "user");
    auto login =
        fuzz::must(services.auth.login("admin@fuzz.relais.fr", password, "127.0.0.1"), "login");
    bearer = "Bearer " + login.token;

    // A web root with an index and an asset, next to a file that must never be served.
    web_root = fs::temp_directory_path() / ("relais-fuzz-web-" + std::to_string(::getpid()));
    fs::create_directories(web_root / "dist" / "assets");
    std::ofstream(web_root / "dist" / "index.html") << "<!doctype html><title>Relais</title>";
    std::ofstream(web_root / "dist" / "assets" / "app.js") << "console.log('relais')";
    std::ofstream(web_root / "secret.txt") << kSecret;
    static_files = std::make_unique<http::StaticFiles>(web_root / "dist");
  }
  ~Server() { fs::remove_all(web_root); }
};

http::Response respond(Server& server, http::Request& request) {
  http::Router::Match match = server.router.match(request);
  if (match.handler != nullptr) return (*match.handler)(request);
  if (request.path != "/api" && request.path.rfind("/api/", 0) != 0) {
    http::Response response = server.static_files->serve(request);
    if (response.body.find(kSecret) != std::string::npos) __builtin_trap();
    return response;
  }
  if (!match.allowed_methods.empty()) return http::method_not_allowed(match.allowed_methods);
  return http::Response::error(relais::Error::not_found("no such resource"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server server;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto line = [&input]() {
    const std::size_t end = input.find('\n');
    std::string_view out = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    return std::string(out);
  };
  http::Request request;
  request.method = "GET";
  request.target = line();
  request.remote_address = "127.0.0.1";
  const bool has_cookie = !input.empty();
  if (has_cookie) {
    request.headers["cookie"] = line();
  } else {
    request.headers["authorization"] = server.bearer;
  }
  if (!input.empty()) request.headers["if-match"] = line();

  auto target = http::parse_target(request.target);
  if (!target.ok()) {
    fuzz::expect_no_internal(target.error());
    return 0;
  }
  if (target->path.find('\0') != std::string::npos) __builtin_trap();
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  const http::Response response = respond(server, request);
  if (response.status == 500) {
    std::fprintf(stderr, "500 for GET %s: %s\n", request.target.c_str(), response.body.c_str());
    std::abort();
  }
  return 0;
}
