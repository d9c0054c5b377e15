#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/sse_writer.hpp"
#include "http/static_files.hpp"
#include "http/url.hpp"
#include "http/worker_pool.hpp"

// Asio 1.74's awaitable frames pair a sized operator delete with their own operator new; GCC 12
// misreports that as a mismatch on every coroutine definition (a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace relais::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

thread_local bool t_on_io_thread = false;

constexpr const char* kHtmlCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

Response error_response(int status, std::string_view code, std::string_view message) {
  return Response::json(status, Json{{"error", {{"code", code}, {"message", message}}}});
}

bool is_api_path(std::string_view path) { return path == "/api" || path.rfind("/api/", 0) == 0; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Header values come from handlers; CR/LF would let them inject headers.
std::string strip_crlf(std::string value) {
  value.erase(
      std::remove_if(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n'; }),
      value.end());
  return value;
}

// Runs `work` on the worker pool and resumes the awaiting coroutine on its own executor with
// the response, or with nullopt when the pool queue is full.
template <class Token>
auto async_run_on_pool(WorkerPool& pool, std::function<Response()> work, Token&& token) {
  return asio::async_initiate<Token, void(std::optional<Response>)>(
      [&pool](auto handler, std::function<Response()> work) {
        using HandlerType = decltype(handler);
        auto shared = std::make_shared<HandlerType>(std::move(handler));
        auto executor = asio::get_associated_executor(*shared);
        bool accepted = pool.try_submit([shared, executor, work = std::move(work)]() {
          std::optional<Response> response(work());
          asio::post(executor, [shared, response = std::move(response)]() mutable {
            (*shared)(std::move(response));
          });
        });
        if (!accepted) {
          asio::post(executor, [shared]() { (*shared)(std::optional<Response>()); });
        }
      },
      token, std::move(work));
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        pool_(options_.worker_threads, options_.max_queued_requests),
        ioc_(static_cast<int>(std::max<std::size_t>(options_.io_threads, 1))),
        acceptor_strand_(asio::make_strand(ioc_)),
        acceptor_(acceptor_strand_),
        work_guard_(asio::make_work_guard(ioc_)) {
    if (options_.static_root) static_files_.emplace(*options_.static_root);
    access_log_ = spdlog::get("access");
    if (!access_log_) access_log_ = spdlog::default_logger();
  }

  Result<void> listen() {
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Error::bad_request("invalid listen address '" + options_.host + "'");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return Error::internal("cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return ok_result();
  }

  std::uint16_t port() const { return port_; }

  void run();
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_requested_ = true;
    }
    changed_.notify_all();
  }

 private:
  struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool idle = false;       // waiting for the first byte of a request; touched on its strand only
    bool streaming = false;  // serving an event stream: shutdown closes it at once (strand only)
  };

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(std::shared_ptr<Connection> connection, std::string remote);
  asio::awaitable<Response> respond(Request& request);
  Response handle_on_worker(Request& request);
  asio::awaitable<void> write(Connection& connection, Response response, unsigned version,
                              bool keep_alive, const Request& log_request, Clock::time_point start);
  // Serves an event stream (Response::event_stream) until it ends; the connection closes after.
  asio::awaitable<void> stream_events(std::shared_ptr<Connection> connection, Response response,
                                      unsigned version, const Request& log_request,
                                      Clock::time_point start);
  // Sends a response whose head is set, then logs it.
  template <class Body>
  asio::awaitable<void> send(Connection& connection, bhttp::response<Body>& out,
                             const Request& log_request, Clock::time_point start);
  void log_access(const Request& request, int status, std::size_t bytes, Clock::time_point start);
  void shutdown();
  void close_connections(bool idle_only);
  template <class Predicate>
  bool wait_for(std::chrono::milliseconds timeout, Predicate predicate) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, predicate);
  }

  const ServerOptions options_;
  const Router& router_;
  std::optional<StaticFiles> static_files_;
  std::shared_ptr<spdlog::logger> access_log_;

  // Declared before ioc_: coroutine frames destroyed with the io_context still use these.
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_requested_ = false;  // guarded by mutex_
  std::size_t in_flight_ = 0;    // guarded by mutex_: requests read and not yet answered
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;  // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_streams_{0};
  std::uint16_t port_ = 0;
  WorkerPool pool_;

  asio::io_context ioc_;
  asio::strand<asio::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;  // used on acceptor_strand_ only once run() started
  std::optional<asio::signal_set> signals_;
  asio::executor_work_guard<asio::io_context::executor_type> work_guard_;
};

void Server::Impl::run() {
  asio::co_spawn(acceptor_strand_, accept_loop(), asio::detached);
  if (options_.handle_signals) {
    signals_.emplace(acceptor_strand_, SIGINT, SIGTERM);
    signals_->async_wait([this](const beast::error_code& ec, int) {
      if (!ec) stop();
    });
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < std::max<std::size_t>(options_.io_threads, 1); ++i) {
    threads.emplace_back([this] {
      t_on_io_thread = true;
      ioc_.run();
    });
  }
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stop_requested_; });
  }
  shutdown();
  for (std::thread& thread : threads) thread.join();
}

void Server::Impl::shutdown() {
  stopping_ = true;
  asio::post(acceptor_strand_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    if (signals_) signals_->cancel(ignored);
  });
  close_connections(/*idle_only=*/true);
  if (!wait_for(options_.drain_timeout, [this] { return in_flight_ == 0; })) {
    spdlog::warn("shutdown: {} request(s) still running after the drain timeout", in_flight_);
  }
  // Connections that finished their request close themselves; the rest are idle or stuck.
  close_connections(/*idle_only=*/false);
  wait_for(std::chrono::seconds(2), [this] { return connections_.empty(); });
  // Handlers still running complete before the I/O threads stop, so no completion is lost.
  pool_.stop();
  work_guard_.reset();
  if (!wait_for(std::chrono::seconds(2), [this] { return connections_.empty(); })) {
    ioc_.stop();
  }
}

void Server::Impl::close_connections(bool idle_only) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [raw, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (auto& connection : live) {
    asio::post(connection->stream.get_executor(), [connection, idle_only] {
      if (idle_only && !connection->idle && !connection->streaming) return;
      beast::error_code ignored;
      connection->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      connection->stream.close();
    });
  }
}

asio::awaitable<void> Server::Impl::accept_loop() {
  while (!stopping_) {
    beast::error_code ec;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::any_io_executor(asio::make_strand(ioc_)),
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      // EMFILE and friends: keep serving the connections we have, retry shortly.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer timer(acceptor_strand_, std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    beast::error_code endpoint_ec;
    std::string remote = socket.remote_endpoint(endpoint_ec).address().to_string();
    socket.set_option(tcp::no_delay(true), endpoint_ec);
    auto executor = socket.get_executor();
    auto connection = std::make_shared<Connection>(std::move(socket));
    asio::co_spawn(executor, session(std::move(connection), std::move(remote)), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::session(std::shared_ptr<Connection> connection,
                                            std::string remote) {
  {
    std::lock_guard lock(mutex_);
    connections_.emplace(connection.get(), connection);
  }
  struct Deregister {
    Impl* self;
    Connection* key;
    ~Deregister() {
      {
        std::lock_guard lock(self->mutex_);
        self->connections_.erase(key);
      }
      self->changed_.notify_all();
    }
  } deregister{this, connection.get()};

  beast::tcp_stream& stream = connection->stream;
  beast::flat_buffer buffer;
  bool first = true;
  while (!stopping_) {
    beast::error_code ec;
    if (buffer.size() == 0) {
      // Waiting for the next request: the only state in which shutdown may close us.
      connection->idle = true;
      stream.expires_after(first ? options_.read_timeout : options_.keep_alive_timeout);
      std::size_t n = co_await stream.async_read_some(
          buffer.prepare(4096), asio::redirect_error(asio::use_awaitable, ec));
      connection->idle = false;
      if (ec) break;  // closed, idle timeout, or shutdown
      buffer.commit(n);
    }
    first = false;

    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(options_.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
    stream.expires_after(options_.read_timeout);
    const Clock::time_point start = Clock::now();
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      break;  // the client went away or was too slow: nobody to answer
    }
    if (ec) {
      Request log_request;
      log_request.method =
          parser.is_header_done() ? std::string(parser.get().method_string()) : "-";
      log_request.target = parser.is_header_done() ? std::string(parser.get().target()) : "-";
      log_request.remote_address = remote;
      Response response;
      if (ec == bhttp::error::body_limit) {
        response = Response::error(Error{ErrorCode::kPayloadTooLarge, "request body too large"});
      } else if (ec == bhttp::error::header_limit) {
        response = error_response(431, "header_too_large", "request header too large");
      } else {
        response = Response::error(Error::bad_request("malformed HTTP request"));
      }
      co_await write(*connection, std::move(response), 11, false, log_request, start);
      break;
    }

    BeastRequest beast_request = parser.release();
    Request request;
    request.method = std::string(beast_request.method_string());
    request.target = std::string(beast_request.target());
    request.remote_address = remote;
    for (const auto& field : beast_request) {
      std::string name = lower(field.name_string());
      auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
      if (!inserted) {
        it->second += name == "cookie" ? "; " : ", ";
        it->second += field.value();
      }
    }
    request.body = std::move(beast_request.body());
    const unsigned version = beast_request.version();
    const bool client_keep_alive = beast_request.keep_alive();

    {
      std::lock_guard lock(mutex_);
      ++in_flight_;
    }
    struct InFlight {
      Impl* self;
      bool counted = true;
      void release() {
        if (!counted) return;
        counted = false;
        {
          std::lock_guard lock(self->mutex_);
          --self->in_flight_;
        }
        self->changed_.notify_all();
      }
      ~InFlight() { release(); }
    } in_flight{this};

    Response response = co_await respond(request);
    if (response.event_stream) {
      // A stream is not a request in flight: shutdown does not wait for it.
      in_flight.release();
      co_await stream_events(connection, std::move(response), version, request, start);
      break;
    }
    const bool keep_alive = client_keep_alive && !stopping_;
    co_await write(*connection, std::move(response), version, keep_alive, request, start);
    if (!keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

asio::awaitable<Response> Server::Impl::respond(Request& request) {
  Result<Target> target = parse_target(request.target);
  if (!target.ok()) co_return Response::error(target.error());
  request.path = std::move(target->path);
  request.query = std::move(target->query);

  // Answered on the I/O thread: no database, no queue, so it also measures raw throughput.
  if (request.path == "/healthz" && request.method == "GET") {
    co_return Response::json(200, Json{{"status", "ok"}});
  }
  std::optional<Response> response = co_await async_run_on_pool(
      pool_, [this, &request] { return handle_on_worker(request); }, asio::use_awaitable);
  if (!response) {
    Response busy = error_response(503, "service_unavailable", "server busy, retry shortly");
    busy.set_header("Retry-After", "1");
    co_return busy;
  }
  co_return std::move(*response);
}

Response Server::Impl::handle_on_worker(Request& request) {
  try {
    Router::Match match = router_.match(request);
    if (match.handler != nullptr) return (*match.handler)(request);
    if (static_files_ && request.method == "GET" && !is_api_path(request.path)) {
      return static_files_->serve(request);
    }
    if (!match.allowed_methods.empty()) return method_not_allowed(match.allowed_methods);
    return Response::error(Error::not_found("no such resource"));
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", request.method,
                  request.target.substr(0, request.target.find('?')), e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw a non-exception", request.method,
                  request.target.substr(0, request.target.find('?')));
  }
  return Response::error(Error::internal("internal error"));
}

namespace {

// Status line and headers shared by in-memory and file bodies.
template <class Body>
void set_head(bhttp::response<Body>& out, Response& response, bool keep_alive) {
  out.set(bhttp::field::server, "relais");
  const bool bodiless = response.status == 204 || response.status == 304;
  if (!response.content_type.empty() && !bodiless) {
    out.set(bhttp::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) out.insert(name, strip_crlf(std::move(value)));
  if (out.find("X-Content-Type-Options") == out.end()) out.set("X-Content-Type-Options", "nosniff");
  if (out.find("Referrer-Policy") == out.end()) out.set("Referrer-Policy", "same-origin");
  if (out.find("X-Frame-Options") == out.end()) out.set("X-Frame-Options", "DENY");
  // Nothing is cacheable unless its handler says so (static files, the OpenAPI document):
  // API answers, errors included, may carry one user's data, and a shared proxy or the
  // browser's disk cache must not keep them.
  if (out.find(bhttp::field::cache_control) == out.end()) {
    out.set(bhttp::field::cache_control, "no-store");
  }
  if (response.content_type.rfind("text/html", 0) == 0 &&
      out.find("Content-Security-Policy") == out.end()) {
    out.set("Content-Security-Policy", kHtmlCsp);
  }
  out.keep_alive(keep_alive);
}

}  // namespace

asio::awaitable<void> Server::Impl::write(Connection& connection, Response response,
                                          unsigned version, bool keep_alive,
                                          const Request& log_request, Clock::time_point start) {
  if (response.body_file) {
    // Streamed from disk in small buffers: a large export costs no memory here.
    bhttp::response<bhttp::file_body> out{static_cast<bhttp::status>(response.status), version};
    beast::error_code ec;
    out.body().open(response.body_file->path().c_str(), beast::file_mode::scan, ec);
    if (!ec) {
      set_head(out, response, keep_alive);
      co_await send(connection, out, log_request, start);
      co_return;
    }
    spdlog::error("cannot open a response body file: {}", ec.message());
    response = error_response(500, "internal", "internal error");
  }
  BeastResponse out{static_cast<bhttp::status>(response.status), version};
  set_head(out, response, keep_alive);
  if (response.status != 204 && response.status != 304) out.body() = std::move(response.body);
  co_await send(connection, out, log_request, start);
}

asio::awaitable<void> Server::Impl::stream_events(std::shared_ptr<Connection> connection,
                                                  Response response, unsigned version,
                                                  const Request& log_request,
                                                  Clock::time_point start) {
  const bool stopping = stopping_;
  if (stopping || open_streams_.fetch_add(1) >= options_.max_streams) {
    if (!stopping) --open_streams_;
    Response busy = error_response(503, "service_unavailable",
                                   stopping ? "server stopping" : "too many open event streams");
    busy.set_header("Retry-After", "5");
    co_await write(*connection, std::move(busy), version, false, log_request, start);
    co_return;
  }
  struct Count {
    std::atomic<std::size_t>& open;
    ~Count() { --open; }
  } count{open_streams_};
  connection->streaming = true;
  bhttp::response<bhttp::empty_body> head{bhttp::status::ok, version};
  response.status = 200;
  response.content_type = "text/event-stream";
  set_head(head, response, /*keep_alive=*/false);
  head.set(bhttp::field::cache_control, "no-store");
  head.set("X-Accel-Buffering", "no");  // nginx: pass each event on, do not buffer
  const detail::StreamLimits limits{options_.stream_heartbeat, options_.stream_max_duration,
                                    options_.write_timeout, options_.stream_retry,
                                    options_.stream_queue_bytes};
  const std::size_t bytes = co_await detail::run_event_stream(
      connection->stream, head, response.event_stream, limits, connection);
  log_access(log_request, 200, bytes, start);
}

template <class Body>
asio::awaitable<void> Server::Impl::send(Connection& connection, bhttp::response<Body>& out,
                                         const Request& log_request, Clock::time_point start) {
  out.prepare_payload();
  const std::size_t bytes = out.body().size();
  beast::error_code ec;
  connection.stream.expires_after(options_.write_timeout);
  co_await bhttp::async_write(connection.stream, out,
                              asio::redirect_error(asio::use_awaitable, ec));
  log_access(log_request, out.result_int(), bytes, start);
}

// One line per request. The query string is left out on purpose (it may hold personal data),
// and the raw path is logged rather than the decoded one so %0A cannot forge log lines.
void Server::Impl::log_access(const Request& request, int status, std::size_t bytes,
                              Clock::time_point start) {
  if (!access_log_->should_log(spdlog::level::info)) return;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::string_view path = request.target;
  path = path.substr(0, path.find('?'));
  if (options_.access_log_json) {
    Json line{{"method", request.method},
              {"path", path},
              {"status", status},
              {"duration_ms", ms},
              {"bytes", bytes},
              {"user_id", request.user_id},
              {"remote", request.remote_address}};
    access_log_->info(line.dump(-1, ' ', false, Json::error_handler_t::replace));
  } else {
    access_log_->info("{} {} {} {:.2f}ms {}B user={} remote={}", request.method, path, status, ms,
                      bytes, request.user_id, request.remote_address);
  }
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() = default;
Result<void> Server::listen() { return impl_->listen(); }
std::uint16_t Server::port() const { return impl_->port(); }
void Server::run() { impl_->run(); }
void Server::stop() { impl_->stop(); }
bool Server::on_io_thread() { return t_on_io_thread; }

}  // namespace relais::http
