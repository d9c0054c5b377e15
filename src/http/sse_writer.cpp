#include "http/sse_writer.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

// Asio 1.74's awaitable frames pair a sized operator delete with their own operator new; GCC 12
// misreports that as a mismatch on every coroutine definition (a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace relais::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

}  // namespace

StreamSink::StreamSink(asio::any_io_executor executor, std::weak_ptr<asio::steady_timer> timer,
                       std::size_t queue_bytes)
    : queue_bytes_(queue_bytes), executor_(std::move(executor)), timer_(std::move(timer)) {}

bool StreamSink::send(const SseEvent& event) {
  std::string bytes = format_sse_event(event);
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  if (queued_.size() + bytes.size() > queue_bytes_) {
    // Too far behind: end the stream rather than buffer without limit. What is queued still
    // goes out; the client reconnects with the last id it got and the feed catches it up.
    closed_ = true;
    wake_locked();
    return false;
  }
  queued_ += bytes;
  wake_locked();
  return true;
}

bool StreamSink::is_open() const {
  std::lock_guard lock(mutex_);
  return !closed_;
}

void StreamSink::close() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  wake_locked();
}

void StreamSink::wake_locked() {
  if (wake_pending_ || !executor_) return;
  wake_pending_ = true;
  // Posted under the lock: detach() takes it too, so nothing is posted once the stream (and
  // possibly its io_context) is gone.
  asio::post(*executor_, [timer = timer_] {
    if (auto t = timer.lock()) t->cancel();
  });
}

std::string StreamSink::take(bool& closed) {
  std::lock_guard lock(mutex_);
  wake_pending_ = false;
  closed = closed_;
  std::string out;
  out.swap(queued_);
  return out;
}

void StreamSink::detach() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  queued_.clear();
  executor_.reset();
  timer_.reset();
}

asio::awaitable<std::size_t> run_event_stream(beast::tcp_stream& stream,
                                              bhttp::response<bhttp::empty_body>& head,
                                              const StreamOpener& opener,
                                              const StreamLimits& limits,
                                              std::shared_ptr<void> owner) {
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor);
  auto sink = std::make_shared<StreamSink>(executor, timer, limits.queue_bytes);
  struct Detach {
    std::shared_ptr<StreamSink> sink;
    ~Detach() { sink->detach(); }
  } detach{sink};

  // HTTP/1.1 clients get chunks (the stream has no length); HTTP/1.0 ones a body that ends
  // with the connection.
  const bool chunked = head.version() >= 11;
  head.chunked(chunked);
  beast::error_code ec;
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  stream.expires_after(limits.write_timeout);
  co_await bhttp::async_write_header(stream, serializer,
                                     asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return 0;

  // The client sends nothing more: a read completes only when it goes away (or when shutdown
  // closes the socket), and then ends the stream.
  asio::co_spawn(
      executor,
      [&socket = stream.socket(), sink, owner = std::move(owner)]() -> asio::awaitable<void> {
        std::array<char, 256> scratch{};
        for (;;) {
          beast::error_code read_ec;
          co_await socket.async_read_some(asio::buffer(scratch),
                                          asio::redirect_error(asio::use_awaitable, read_ec));
          if (read_ec) break;
        }
        sink->close();
      },
      asio::detached);

  std::size_t written = 0;
  auto write_out = [&](const std::string& bytes) -> asio::awaitable<bool> {
    stream.expires_after(limits.write_timeout);
    if (chunked) {
      co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(bytes)),
                                 asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(stream, asio::buffer(bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    stream.expires_never();
    if (ec) co_return false;
    written += bytes.size();
    co_return true;
  };

  // The retry hint and a first comment: proxies and clients see the stream open at once.
  if (!co_await write_out(format_sse_retry(limits.retry) + format_sse_comment("open"))) {
    co_return written;
  }
  if (opener) opener(sink);

  const Clock::time_point end = Clock::now() + limits.max_duration;
  Clock::time_point heartbeat_at = Clock::now() + limits.heartbeat;
  for (;;) {
    bool closed = false;
    std::string out = sink->take(closed);
    if (out.empty() && !closed) {
      const Clock::time_point now = Clock::now();
      if (now >= end) break;
      if (now < heartbeat_at) {
        timer->expires_at(std::min(heartbeat_at, end));
        beast::error_code wait_ec;
        co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        continue;  // expired, or woken by the sink: look again
      }
      out = format_sse_comment("heartbeat");
    }
    if (!out.empty()) {
      if (!co_await write_out(out)) co_return written;
      heartbeat_at = Clock::now() + limits.heartbeat;
    }
    if (closed) break;
  }
  if (chunked) {
    stream.expires_after(limits.write_timeout);
    co_await asio::async_write(stream, bhttp::make_chunk_last(),
                               asio::redirect_error(asio::use_awaitable, ec));
    stream.expires_never();
  }
  co_return written;
}

}  // namespace relais::http::detail
