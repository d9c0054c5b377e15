// The I/O side of a server-sent-events response (http/event_stream.hpp), used by server.cpp
// only: the sink a feed sends into, and the coroutine that writes what it queues.
//
// Threading: StreamSink::send/close/is_open from any thread; everything else on the
// connection's strand. The coroutine owns the wake-up timer; the sink only reaches it through
// a weak pointer and an executor it drops when the stream ends (detach), so a feed may keep a
// sink past the stream, even past the server, without touching a dead io_context.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it
// clang-format on

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/event_stream.hpp"

namespace relais::http::detail {

struct StreamLimits {
  std::chrono::milliseconds heartbeat{15'000};
  std::chrono::milliseconds max_duration{15 * 60'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds retry{2'000};
  std::size_t queue_bytes = 1024 * 1024;
};

class StreamSink final : public EventSink {
 public:
  StreamSink(boost::asio::any_io_executor executor, std::weak_ptr<boost::asio::steady_timer> timer,
             std::size_t queue_bytes);

  bool send(const SseEvent& event) override;
  bool is_open() const override;
  void close() override;

  // On the strand: what is queued (emptied), and whether the stream is to end after it.
  std::string take(bool& closed);
  // On the strand, when the stream has ended: no more wake-ups, every send() refused.
  void detach();

 private:
  void wake_locked();  // posts a timer cancel to the strand, at most one pending

  const std::size_t queue_bytes_;
  mutable std::mutex mutex_;
  std::string queued_;                                    // guarded by mutex_
  bool closed_ = false;                                   // guarded by mutex_
  bool wake_pending_ = false;                             // guarded by mutex_
  std::optional<boost::asio::any_io_executor> executor_;  // guarded by mutex_
  std::weak_ptr<boost::asio::steady_timer> timer_;        // guarded by mutex_
};

// Sends `head` (status and headers set by the caller, keep-alive off), a retry hint, calls
// `opener` with the sink, then writes events as they come, heartbeats when idle, until the
// client leaves, the socket is closed (server shutdown), the sink is closed, a write fails
// or limits.max_duration has passed. Returns the bytes of body written. The caller closes the
// socket afterwards; `owner` (what owns the stream) is kept alive until the reader of the
// socket has finished too.
boost::asio::awaitable<std::size_t> run_event_stream(
    boost::beast::tcp_stream& stream,
    boost::beast::http::response<boost::beast::http::empty_body>& head, const StreamOpener& opener,
    const StreamLimits& limits, std::shared_ptr<void> owner);

}  // namespace relais::http::detail
