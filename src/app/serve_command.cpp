// `relais serve`: opens (and migrates) the database, wires the API routes and runs the HTTP
// server until SIGINT/SIGTERM. Objects are declared so they are destroyed in reverse order of
// dependency: server, then routes and services, then the Store (closed cleanly last).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "api/routes.hpp"
#include "app/command_registry.hpp"
#include "app/job_wiring.hpp"
#include "app/logging.hpp"
#include "app/security_log.hpp"
#include "domain/services.hpp"
#include "http/client_address.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "jobs/job_runner.hpp"
#include "storage/open.hpp"

namespace relais::app {
namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  std::string db = kDefaultDatabaseUrl;
  std::string listen = "127.0.0.1:8080";
  std::size_t io_threads = 2;
  // A write holds its worker until the group commit that contains it is durable (one fsync,
  // ~3 ms here), so the worker count bounds how many writes share a commit: 8 workers capped
  // creates at ~3,000/s, 64 reach ~5,400/s. Threads waiting on a commit cost no CPU; reads
  // are still bounded by the store's reader pool. See docs/decisions/0004-worker-pool-size.md.
  std::size_t workers = 64;
  std::size_t max_queued = 1024;
  std::size_t max_streams = 256;  // open event streams (GET /api/v1/jobs/stream); 503 beyond
  std::string web_root;           // empty: look next to the binary, then ./web/dist
  bool secure_cookies = false;
  int job_workers = 2;                // job runner threads in this process; 0: run jobs elsewhere
  std::int64_t job_idle_poll_ms = 0;  // 0: the runner's default for the engine
  JobWiringOptions jobs;
  std::vector<std::string> trusted_proxies;  // CIDR blocks whose X-Forwarded-* are believed
  std::int64_t session_idle_seconds = 12 * 3600;
  std::int64_t session_lifetime_seconds = 7 * 24 * 3600;
  LoggingOptions logging;
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// "host:port", "[v6]:port" or ":port" (all interfaces).
Result<ListenAddress> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Error::bad_request("--listen must be host:port");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    return Error::bad_request("--listen port must be a number from 0 to 65535");
  }
  return ListenAddress{std::move(host), static_cast<std::uint16_t>(port)};
}

// The built UI ships as <prefix>/web/dist beside <prefix>/build/relais (or bin/relais).
std::optional<fs::path> find_web_root(const std::string& configured) {
  std::error_code ec;
  if (!configured.empty()) {
    if (fs::is_directory(configured, ec)) return fs::path(configured);
    spdlog::warn("--web-root {} is not a directory; the web UI will not be served", configured);
    return std::nullopt;
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = exe.parent_path() / ".." / "web" / "dist";
    if (fs::is_directory(beside, ec)) return fs::weakly_canonical(beside, ec);
  }
  if (fs::is_directory("web/dist", ec)) return fs::absolute("web/dist", ec);
  spdlog::warn("no web/dist directory found; the web UI will not be served (use --web-root)");
  return std::nullopt;
}

int run_serve(const ServeOptions& options) {
  if (Result<void> logging = setup_logging(options.logging); !logging.ok()) {
    std::cerr << "relais serve: " << logging.error().message << "\n";
    return 1;
  }
  Result<ListenAddress> address = parse_listen(options.listen);
  if (!address.ok()) {
    std::cerr << "relais serve: " << address.error().message << "\n";
    return 1;
  }

  Result<std::unique_ptr<domain::Store>> store = storage::open_store(options.db, {.migrate = true});
  if (!store.ok()) {
    std::cerr << "relais serve: cannot open the database: " << store.error().message << "\n";
    return 1;
  }
  Result<http::TrustedProxies> trusted = http::TrustedProxies::parse(options.trusted_proxies);
  if (!trusted.ok()) {
    std::cerr << "relais serve: " << trusted.error().message << "\n";
    return 1;
  }
  domain::AuthOptions auth_options;
  auth_options.session_idle_timeout = std::chrono::seconds(options.session_idle_seconds);
  auth_options.session_lifetime = std::chrono::seconds(options.session_lifetime_seconds);
  auth_options.events = std::make_shared<SpdlogSecurityEvents>(options.logging.format == "json");
  domain::Services services(**store, std::move(auth_options));
  // Sign-outs, revocations and user changes made through other servers drop their cache
  // entries here at once (PostgreSQL; decision 0011). Dropped before `services`.
  const domain::Subscription auth_signals = services.follow_auth_signals();

  http::Router router;
  api::ApiOptions api_options;
  api_options.secure_cookies = options.secure_cookies;
  api_options.trusted_proxies = std::move(trusted).value();
  api::register_routes(router, services, api_options);
  api::register_import_export_routes(router, services);

  http::ServerOptions server_options;
  server_options.host = address->host;
  server_options.port = address->port;
  server_options.io_threads = options.io_threads;
  server_options.worker_threads = options.workers;
  server_options.max_queued_requests = options.max_queued;
  server_options.max_streams = options.max_streams;
  server_options.static_root = find_web_root(options.web_root);
  server_options.access_log_json = options.logging.format == "json";

  jobs::JobRegistry job_registry;
  register_jobs(job_registry, services, options.jobs);

  {
    http::Server server(server_options, router);
    if (Result<void> bound = server.listen(); !bound.ok()) {
      std::cerr << "relais serve: " << bound.error().message << "\n";
      return 1;
    }
    const bool v6 = address->host.find(':') != std::string::npos;
    std::cout << "Relais listening on http://" << (v6 ? "[" : "") << address->host
              << (v6 ? "]" : "") << ":" << server.port() << std::endl;
    if (server_options.static_root) {
      spdlog::info("serving the web UI from {}", server_options.static_root->string());
    }
    // Declared after the server and before nothing that it uses: stopped (its leased jobs
    // finished or given back) once the server has stopped, while the Store is still open.
    jobs::JobRunner runner(
        **store, job_registry,
        {.threads = options.job_workers, .idle_poll_ms = options.job_idle_poll_ms});
    if (options.job_workers > 0) {
      runner.start();
    } else if (auto started = runner.start_new_consumers(); !started.ok()) {
      spdlog::warn("jobs: cannot start the outbox consumers: {}", started.error().message);
    }
    server.run();
    spdlog::info("server stopped");
    runner.stop();
  }
  shutdown_logging();
  return 0;
}

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command = app.add_subcommand("serve", "Run the HTTP API and web UI");
  command->add_option("--db", options->db, kDatabaseUrlHelp)->capture_default_str();
  command->add_option("--listen", options->listen, "Address to listen on (host:port)")
      ->capture_default_str();
  command->add_option("--io-threads", options->io_threads, "Network I/O threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command->add_option("--workers", options->workers, "Request worker threads (database work)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  command
      ->add_option("--max-queued", options->max_queued,
                   "Requests waiting for a worker before answering 503")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  command
      ->add_option("--max-streams", options->max_streams,
                   "Open server-sent-event streams (job progress) before answering 503")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--web-root", options->web_root,
                      "Directory of the built web UI (default: web/dist next to the binary)");
  command
      ->add_option("--job-workers", options->job_workers,
                   "Background job threads in this server (0: none; see `relais worker`)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  command
      ->add_option("--job-idle-poll", options->job_idle_poll_ms,
                   "Milliseconds between idle job threads' looks for due jobs when nothing "
                   "signals them (0: 1000 on PostgreSQL, woken by LISTEN/NOTIFY; 20 on SQLite)")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  command->add_flag("--self-test-jobs", options->jobs.self_test)
      ->group("");  // hidden: the crash tests' job kind
  command->add_flag("--secure-cookies", options->secure_cookies,
                    "Mark the session cookie Secure (when served behind TLS)");
  command
      ->add_option("--trusted-proxy", options->trusted_proxies,
                   "A reverse proxy (IP or CIDR block, repeatable) whose X-Forwarded-For and "
                   "X-Forwarded-Proto are believed; default none")
      ->allow_extra_args(false);
  command
      ->add_option("--session-idle-timeout", options->session_idle_seconds,
                   "Seconds without use after which a sign-in session ends")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{366} * 24 * 3600))
      ->capture_default_str();
  command
      ->add_option("--session-lifetime", options->session_lifetime_seconds,
                   "Seconds after sign-in at which a session ends, however much it is used")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{366} * 24 * 3600))
      ->capture_default_str();
  add_logging_options(*command, options->logging);
  command->callback([options] { CommandRegistry::instance().set_exit_code(run_serve(*options)); });
}

const bool registered = CommandRegistry::instance().add(&add_serve_command);

}  // namespace
}  // namespace relais::app
