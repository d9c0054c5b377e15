// Event streams through a real Server on 127.0.0.1: head, events, heartbeats, and every way a
// stream ends (client gone, server stopping, duration, a client too far behind, the bound).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "http/server.hpp"

namespace relais::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The sinks the handler's streams opened, in order.
struct Sinks {
  std::mutex mutex;
  std::condition_variable opened;
  std::vector<std::shared_ptr<EventSink>> all;

  std::shared_ptr<EventSink> wait_for(std::size_t index) {
    std::unique_lock lock(mutex);
    opened.wait_for(lock, 5s, [&] { return all.size() > index; });
    return all.size() > index ? all[index] : nullptr;
  }
};

ServerOptions stream_options() {
  ServerOptions options;
  options.port = 0;
  options.io_threads = 1;
  options.worker_threads = 1;  // one worker: two open streams must not need two
  options.handle_signals = false;
  options.stream_heartbeat = 150ms;
  return options;
}

class StreamServer {
 public:
  explicit StreamServer(ServerOptions options) {
    router_.add("GET", "/events", [this](Request&) {
      Response response = Response::stream([this](std::shared_ptr<EventSink> sink) {
        std::lock_guard lock(sinks_.mutex);
        sinks_.all.push_back(std::move(sink));
        sinks_.opened.notify_all();
      });
      response.set_header("X-Handler", "yes");
      return response;
    });
    router_.add("GET", "/plain", [](Request&) { return Response::json(200, Json{{"ok", true}}); });
    server_ = std::make_unique<Server>(std::move(options), router_);
    EXPECT_TRUE(server_->listen().ok());
    thread_ = std::thread([this] { server_->run(); });
  }
  ~StreamServer() { stop(); }
  void stop() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return server_->port(); }
  Sinks& sinks() { return sinks_; }

 private:
  Router router_;
  Sinks sinks_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// A raw client: what the server writes, byte for byte (chunk sizes included).
class RawClient {
 public:
  RawClient(std::uint16_t port, const std::string& target, const std::string& version = "1.1")
      : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    asio::write(socket_,
                asio::buffer("GET " + target + " HTTP/" + version + "\r\nHost: localhost\r\n\r\n"));
  }

  // Reads until `text` has arrived (true) or the connection ended / 5 s passed (false).
  bool read_until(const std::string& text, std::chrono::milliseconds limit = 5s) {
    const auto end = Clock::now() + limit;
    while (received_.find(text) == std::string::npos) {
      if (ended_ || Clock::now() > end) return false;
      read_some();
    }
    return true;
  }
  // Reads until the server closes the connection; false if it did not within `limit`.
  bool read_to_end(std::chrono::milliseconds limit = 5s) {
    const auto end = Clock::now() + limit;
    while (!ended_ && Clock::now() < end) read_some();
    return ended_;
  }
  const std::string& received() const { return received_; }
  void close() { socket_.close(); }

 private:
  // Waits at most 100 ms for bytes (Asio's blocking reads ignore SO_RCVTIMEO), so the
  // callers' deadlines hold even when the server sends nothing.
  void read_some() {
    pollfd ready{socket_.native_handle(), POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) return;
    char buffer[4096];
    const ssize_t n = ::recv(socket_.native_handle(), buffer, sizeof buffer, 0);
    if (n <= 0) {
      ended_ = true;
      return;
    }
    received_.append(buffer, static_cast<std::size_t>(n));
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  std::string received_;
  bool ended_ = false;
};

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return condition();
}

TEST(EventStreamServerTest, SendsTheHeadThenEventsAsTheyComeAndHeartbeatsWhenIdle) {
  StreamServer server(stream_options());
  RawClient client(server.port(), "/events");
  auto sink = server.sinks().wait_for(0);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(client.read_until(": open\n\n"));
  const std::string& head = client.received();
  EXPECT_NE(head.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Cache-Control: no-store\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Accel-Buffering: no\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Handler: yes\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("retry: 2000\n\n"), std::string::npos) << head;

  EXPECT_TRUE(sink->send({"1", "job", "first\nsecond"}));
  EXPECT_TRUE(sink->send({"2", "job", "third"}));
  EXPECT_TRUE(client.read_until("id: 2\nevent: job\ndata: third\n\n"));
  EXPECT_NE(client.received().find("id: 1\nevent: job\ndata: first\ndata: second\n\n"),
            std::string::npos);
  EXPECT_TRUE(client.read_until(": heartbeat\n\n", 2s));

  // The stream holds no worker: the only worker thread still answers other requests.
  RawClient other(server.port(), "/plain", "1.0");
  EXPECT_TRUE(other.read_until("{\"ok\":true}"));
}

TEST(EventStreamServerTest, HttpOneZeroGetsAPlainBodyEndedByTheConnection) {
  ServerOptions options = stream_options();
  options.stream_max_duration = 300ms;
  StreamServer server(options);
  RawClient client(server.port(), "/events", "1.0");
  auto sink = server.sinks().wait_for(0);
  ASSERT_NE(sink, nullptr);
  EXPECT_TRUE(sink->send({"", "", "x"}));
  EXPECT_TRUE(client.read_to_end());  // the maximum duration ends it
  EXPECT_EQ(client.received().find("Transfer-Encoding"), std::string::npos);
  EXPECT_NE(client.received().find("\r\n\r\nretry: 2000\n\n: open\n\ndata: x\n\n"),
            std::string::npos)
      << client.received();
  EXPECT_TRUE(eventually([&] { return !sink->is_open(); }));
  EXPECT_FALSE(sink->send({"", "", "late"}));
}

TEST(EventStreamServerTest, ClosingTheSinkEndsTheChunkedBodyCleanly) {
  StreamServer server(stream_options());
  RawClient client(server.port(), "/events");
  auto sink = server.sinks().wait_for(0);
  ASSERT_NE(sink, nullptr);
  EXPECT_TRUE(sink->send({"", "", "bye"}));
  sink->close();
  EXPECT_TRUE(client.read_to_end());
  EXPECT_NE(client.received().find("data: bye\n\n"), std::string::npos);
  const std::string& all = client.received();
  EXPECT_EQ(all.substr(all.size() - 5), "0\r\n\r\n");  // the last chunk
}

TEST(EventStreamServerTest, AClientThatLeavesEndsItsStream) {
  StreamServer server(stream_options());
  RawClient client(server.port(), "/events");
  auto sink = server.sinks().wait_for(0);
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(client.read_until(": open"));
  client.close();
  EXPECT_TRUE(eventually([&] { return !sink->is_open(); }, 2s));
}

TEST(EventStreamServerTest, StopEndsOpenStreamsAtOnce) {
  ServerOptions options = stream_options();
  options.stream_heartbeat = 60s;
  options.drain_timeout = 10s;  // streams are not requests in flight: never waited for
  StreamServer server(options);
  RawClient first(server.port(), "/events");
  RawClient second(server.port(), "/events");
  ASSERT_NE(server.sinks().wait_for(1), nullptr);
  ASSERT_TRUE(first.read_until(": open"));
  const auto start = Clock::now();
  server.stop();
  EXPECT_LT(Clock::now() - start, 1500ms);
  EXPECT_TRUE(first.read_to_end(1s));
  EXPECT_TRUE(second.read_to_end(1s));
  EXPECT_FALSE(server.sinks().wait_for(0)->is_open());
}

TEST(EventStreamServerTest, StreamsBeyondTheBoundAre503) {
  ServerOptions options = stream_options();
  options.max_streams = 1;
  StreamServer server(options);
  RawClient first(server.port(), "/events");
  auto sink = server.sinks().wait_for(0);
  ASSERT_NE(sink, nullptr);
  RawClient second(server.port(), "/events");
  EXPECT_TRUE(second.read_to_end());
  EXPECT_NE(second.received().find("HTTP/1.1 503"), std::string::npos) << second.received();
  EXPECT_NE(second.received().find("too many open event streams"), std::string::npos);
  // Once the first ends, a new stream is admitted again.
  sink->close();
  EXPECT_TRUE(first.read_to_end());
  RawClient third(server.port(), "/events");
  EXPECT_TRUE(third.read_until(": open"));
}

TEST(EventStreamServerTest, AClientTooFarBehindIsCutOff) {
  ServerOptions options = stream_options();
  options.stream_queue_bytes = 64;
  StreamServer server(options);
  RawClient client(server.port(), "/events");
  auto sink = server.sinks().wait_for(0);
  ASSERT_NE(sink, nullptr);
  EXPECT_FALSE(sink->send({"", "", std::string(100, 'x')}));
  EXPECT_FALSE(sink->is_open());
  EXPECT_TRUE(client.read_to_end());
}

}  // namespace
}  // namespace relais::http
