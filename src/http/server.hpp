// The HTTP/1.1 server: Boost.Beast on a pool of Asio I/O threads, handlers on a bounded
// worker pool. Beast stays inside server.cpp; callers see only Request/Response/Router.
//
// Life cycle: construct, listen() (binds; port() is then valid), run() (blocks until stop()
// or SIGINT/SIGTERM), destroy. Shutdown is graceful: stop accepting, close idle keep-alive
// connections, let requests already being handled finish (up to drain_timeout), then return.
// Event streams are ended at once: shutdown never waits for them.
//
// Threading: stop() may be called from any thread (and from a handler). The router and the
// handlers it holds must outlive the server; handlers run concurrently on worker threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "http/router.hpp"

namespace relais::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = an ephemeral port, see Server::port()
  std::size_t io_threads = 2;
  std::size_t worker_threads = 8;
  std::size_t max_queued_requests = 1024;  // beyond this, 503
  std::size_t body_limit = 10 * 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  // Whole request (header and body) must arrive within this: defeats slowloris clients.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // An idle keep-alive connection is closed after this.
  std::chrono::milliseconds keep_alive_timeout{60'000};
  // How long shutdown waits for requests in flight.
  std::chrono::milliseconds drain_timeout{10'000};
  // Server-sent-event streams (http/event_stream.hpp): at most this many open at once (503
  // beyond), a comment after this long without a write, ended after max_duration (the
  // client reconnects, authenticated again), cut off when this much is queued unsent.
  std::size_t max_streams = 256;
  std::chrono::milliseconds stream_heartbeat{15'000};
  std::chrono::milliseconds stream_max_duration{15 * 60'000};
  std::chrono::milliseconds stream_retry{2'000};  // the clients' reconnection delay
  std::size_t stream_queue_bytes = 1024 * 1024;
  std::optional<std::filesystem::path> static_root;  // the built web UI, if any
  bool handle_signals = true;                        // SIGINT/SIGTERM stop run()
  bool access_log_json = false;                      // access log lines as JSON objects
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kInternal with the reason (e.g. address in use) on failure.
  Result<void> listen();
  // The bound port (the real one when options.port was 0); 0 before listen().
  std::uint16_t port() const;
  // Serves until stop() or a signal, then shuts down gracefully and returns.
  void run();
  // Asks run() to shut down; returns at once. Safe from any thread, idempotent.
  void stop();

  // True on the server's I/O threads: handlers must never see this (tests check it).
  static bool on_io_thread();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace relais::http
