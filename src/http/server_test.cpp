// Drives a real Server on 127.0.0.1 (ephemeral port) with a small blocking Beast client.
#include "http/server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "common/testing/test_directory.hpp"

namespace relais::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using BeastResponse = bhttp::response<bhttp::string_body>;

ServerOptions test_options() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  options.worker_threads = 2;
  options.handle_signals = false;
  return options;
}

// Blocking client; every read gives up after 10 s so a server bug fails the test instead of
// hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval timeout{10, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  BeastResponse send(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
    request.method_string(method);
    request.set(bhttp::field::host, "localhost");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    bhttp::write(socket_, request);
    return read();
  }

  BeastResponse read() {
    BeastResponse response;
    bhttp::read(socket_, buffer_, response);
    return response;
  }

  void write_raw(const std::string& text) { asio::write(socket_, asio::buffer(text)); }

  // True when the server closed the connection (EOF or reset) before any byte arrived.
  bool closed_by_server() {
    char byte = 0;
    beast::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(&byte, 1), ec);
    return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class RunningServer {
 public:
  RunningServer(ServerOptions options, const Router& router) : server_(std::move(options), router) {
    Result<void> listening = server_.listen();
    EXPECT_TRUE(listening.ok()) << (listening.ok() ? "" : listening.error().message);
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() { stop_and_join(); }
  void stop_and_join() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }

 private:
  Server server_;
  std::thread thread_;
};

Json body_of(const BeastResponse& response) { return Json::parse(response.body()); }

TEST(ServerTest, HealthzAndSecurityHeaders) {
  Router router;
  RunningServer server(test_options(), router);
  ASSERT_NE(server.port(), 0);
  Client client(server.port());
  BeastResponse response = client.send("GET", "/healthz");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(body_of(response)["status"], "ok");
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response["Referrer-Policy"], "same-origin");
  EXPECT_EQ(response["X-Frame-Options"], "DENY");
}

TEST(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Router router;
  std::atomic<int> calls{0};
  router.add("POST", "/api/v1/echo/{id}", [&](Request& request) {
    ++calls;
    return Response::json(201, Json{{"id", request.path_params.at("id")},
                                    {"body", request.body},
                                    {"q", request.query_param("q").value_or("")},
                                    {"h", request.header("x-test")}});
  });
  RunningServer server(test_options(), router);
  Client client(server.port());
  BeastResponse first = client.send("POST", "/api/v1/echo/7?q=a+b%21", "one", {{"X-Test", "yes"}});
  EXPECT_EQ(first.result_int(), 201);
  EXPECT_TRUE(first.keep_alive());
  EXPECT_EQ(body_of(first), (Json{{"id", "7"}, {"body", "one"}, {"q", "a b!"}, {"h", "yes"}}));
  BeastResponse second = client.send("POST", "/api/v1/echo/8", "two");
  EXPECT_EQ(second.result_int(), 201);
  EXPECT_EQ(body_of(second)["body"], "two");
  EXPECT_EQ(calls.load(), 2);
}

TEST(ServerTest, FileBodyIsStreamedThenDeleted) {
  Router router;
  std::string path;
  std::string expected;
  for (int i = 0; i < 20000; ++i) expected += "ligne " + std::to_string(i) + ",Hélène\r\n";
  router.add("GET", "/api/export", [&](Request&) {
    auto file = common::TempFile::create("relais-server-test-");
    EXPECT_TRUE(file.ok());
    path = (*file)->path();
    (*file)->write(expected);
    EXPECT_TRUE((*file)->finish().ok());
    Response response;
    response.content_type = "text/csv; charset=utf-8";
    response.set_header("Content-Disposition", "attachment; filename=\"x.csv\"");
    response.body_file = std::move(file).value();
    return response;
  });
  RunningServer server(test_options(), router);
  Client client(server.port());
  BeastResponse response = client.send("GET", "/api/export");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[bhttp::field::content_type], "text/csv; charset=utf-8");
  EXPECT_EQ(response[bhttp::field::content_length], std::to_string(expected.size()));
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response.body(), expected);
  // The same connection still works, and the file is gone once the response was sent.
  EXPECT_EQ(client.send("GET", "/healthz").result_int(), 200);
  EXPECT_FALSE(path.empty());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ServerTest, HandlerRunsOffTheIoThreads) {
  Router router;
  std::atomic<int> on_io{-1};
  router.add("GET", "/api/where", [&](Request&) {
    on_io = Server::on_io_thread() ? 1 : 0;
    return Response::no_content();
  });
  RunningServer server(test_options(), router);
  Client client(server.port());
  EXPECT_EQ(client.send("GET", "/api/where").result_int(), 204);
  EXPECT_EQ(on_io.load(), 0);
  EXPECT_FALSE(Server::on_io_thread());  // nor is the test thread flagged
}

TEST(ServerTest, NotFoundAndMethodNotAllowedAreJson) {
  Router router;
  router.add("GET", "/api/v1/contacts",
             [](Request&) { return Response::json(200, Json::array()); });
  RunningServer server(test_options(), router);
  Client client(server.port());
  BeastResponse missing = client.send("GET", "/api/v1/nothing");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(body_of(missing)["error"]["code"], "not_found");
  BeastResponse wrong = client.send("DELETE", "/api/v1/contacts");
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[bhttp::field::allow], "GET");
  EXPECT_EQ(body_of(wrong)["error"]["code"], "method_not_allowed");
}

TEST(ServerTest, ResponsesAreNoStoreUnlessTheHandlerSaysOtherwise) {
  Router router;
  router.add("GET", "/api/v1/private", [](Request&) { return Response::json(200, Json{}); });
  router.add("GET", "/api/v1/public", [](Request&) {
    Response response = Response::json(200, Json{});
    response.set_header("Cache-Control", "public, max-age=300");
    return response;
  });
  ServerOptions options = test_options();
  options.body_limit = 16;
  RunningServer server(options, router);
  Client client(server.port());
  // Success, errors from the router, from the target parser, and the explicit exception.
  EXPECT_EQ(client.send("GET", "/api/v1/private")[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(client.send("GET", "/api/v1/nothing")[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(client.send("POST", "/api/v1/private")[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(client.send("GET", "/api/v1/private?q=%zz")[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(client.send("GET", "/api/v1/public")[bhttp::field::cache_control],
            "public, max-age=300");
  Client large(server.port());
  EXPECT_EQ(
      large.send("POST", "/api/v1/private", std::string(100, 'x'))[bhttp::field::cache_control],
      "no-store");
}

TEST(ServerTest, MalformedPercentEncodingIs400) {
  Router router;
  RunningServer server(test_options(), router);
  Client client(server.port());
  BeastResponse response = client.send("GET", "/api/v1/contacts?q=%zz");
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(body_of(response)["error"]["code"], "bad_request");
}

TEST(ServerTest, TooLargeBodyIs413AndClosesConnection) {
  Router router;
  std::atomic<int> calls{0};
  router.add("POST", "/api/upload", [&](Request&) {
    ++calls;
    return Response::no_content();
  });
  ServerOptions options = test_options();
  options.body_limit = 1024;
  RunningServer server(options, router);

  Client declared(server.port());
  declared.write_raw("POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  BeastResponse response = declared.read();
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(body_of(response)["error"]["code"], "payload_too_large");
  EXPECT_FALSE(response.keep_alive());

  Client chunked(server.port());
  std::string chunk(800, 'x');
  chunked.write_raw(
      "POST /api/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
      "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.read().result_int(), 413);
  EXPECT_EQ(calls.load(), 0);

  Client fits(server.port());
  EXPECT_EQ(fits.send("POST", "/api/upload", std::string(1000, 'y')).result_int(), 204);
}

TEST(ServerTest, OversizedHeaderIsRejected) {
  Router router;
  ServerOptions options = test_options();
  options.header_limit = 2048;
  RunningServer server(options, router);
  Client client(server.port());
  BeastResponse response = client.send("GET", "/api/x", "", {{"X-Big", std::string(4096, 'a')}});
  EXPECT_EQ(response.result_int(), 431);
}

TEST(ServerTest, SlowClientIsTimedOut) {
  Router router;
  ServerOptions options = test_options();
  options.read_timeout = 300ms;
  RunningServer server(options, router);
  Client client(server.port());
  client.write_raw("GET /healthz HTTP/1.1\r\nHost: loc");  // and never finish the header
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 5s);
}

TEST(ServerTest, HandlerExceptionIsGeneric500) {
  Router router;
  router.add("GET", "/api/boom",
             [](Request&) -> Response { throw std::runtime_error("secret table xyz missing"); });
  RunningServer server(test_options(), router);
  Client client(server.port());
  BeastResponse response = client.send("GET", "/api/boom");
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(body_of(response)["error"]["code"], "internal");
  EXPECT_EQ(response.body().find("secret"), std::string::npos);
  EXPECT_EQ(client.send("GET", "/healthz").result_int(), 200);  // connection still usable
}

TEST(ServerTest, FullQueueAnswers503) {
  Router router;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::atomic<bool> first{true};
  router.add("GET", "/api/block", [&](Request&) {
    if (first.exchange(false)) started.set_value();
    released.wait();
    return Response::no_content();
  });
  ServerOptions options = test_options();
  options.worker_threads = 1;
  options.max_queued_requests = 1;
  RunningServer server(options, router);

  Client a(server.port());
  auto fa = std::async(std::launch::async, [&] { return a.send("GET", "/api/block"); });
  started.get_future().wait();
  // The worker is busy: of the next two requests one is queued, the other refused at once.
  Client b(server.port());
  Client c(server.port());
  auto fb = std::async(std::launch::async, [&] { return b.send("GET", "/api/block"); });
  auto fc = std::async(std::launch::async, [&] { return c.send("GET", "/api/block"); });
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (fb.wait_for(10ms) != std::future_status::ready &&
         fc.wait_for(10ms) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
  }
  release.set_value();
  int busy = 0;
  for (auto* future : {&fa, &fb, &fc}) {
    BeastResponse response = future->get();
    if (response.result_int() == 503) {
      ++busy;
      EXPECT_EQ(body_of(response)["error"]["code"], "service_unavailable");
      EXPECT_EQ(response[bhttp::field::retry_after], "1");
    } else {
      EXPECT_EQ(response.result_int(), 204);
    }
  }
  EXPECT_EQ(busy, 1);
}

TEST(ServerTest, GracefulStopFinishesRequestInFlight) {
  Router router;
  std::promise<void> started;
  router.add("GET", "/api/slow", [&](Request&) {
    started.set_value();
    std::this_thread::sleep_for(500ms);
    return Response::json(200, Json{{"done", true}});
  });
  RunningServer server(test_options(), router);
  const std::uint16_t port = server.port();
  Client idle(port);  // an idle keep-alive connection must not hold up shutdown
  EXPECT_EQ(idle.send("GET", "/healthz").result_int(), 200);

  Client client(port);
  auto response = std::async(std::launch::async, [&] { return client.send("GET", "/api/slow"); });
  started.get_future().wait();
  auto stop_started = std::chrono::steady_clock::now();
  server.stop_and_join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, 5s);

  BeastResponse slow = response.get();
  EXPECT_EQ(slow.result_int(), 200);
  EXPECT_EQ(body_of(slow)["done"], true);
  EXPECT_FALSE(slow.keep_alive());
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_THROW(Client{port}, boost::system::system_error);  // no longer accepting
}

TEST(ServerTest, AccessLogHasPathButNotQueryString) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_pattern("%v");
  spdlog::drop("access");
  spdlog::register_logger(logger);
  {
    Router router;
    router.add("GET", "/api/v1/contacts", [](Request& request) {
      request.user_id = 42;
      return Response::json(200, Json::array());
    });
    ServerOptions options = test_options();
    options.access_log_json = true;
    RunningServer server(options, router);
    Client client(server.port());
    client.send("GET", "/api/v1/contacts?q=jean.dupont%40example.com", "",
                {{"Authorization", "Bearer very-secret-token"}});
    server.stop_and_join();
  }
  spdlog::drop("access");
  logger->flush();
  std::string text = out.str();
  ASSERT_FALSE(text.empty());
  Json line = Json::parse(text.substr(0, text.find('\n')));
  EXPECT_EQ(line["method"], "GET");
  EXPECT_EQ(line["path"], "/api/v1/contacts");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["user_id"], 42);
  EXPECT_EQ(line["remote"], "127.0.0.1");
  EXPECT_TRUE(line.contains("duration_ms"));
  EXPECT_EQ(line["bytes"], 2);
  EXPECT_EQ(text.find("dupont"), std::string::npos);
  EXPECT_EQ(text.find("secret"), std::string::npos);
}

class StaticServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "dist" / "assets");
    std::ofstream(dir_ / "dist" / "index.html") << "<!doctype html><p>app</p>";
    std::ofstream(dir_ / "dist" / "assets" / "main.css") << "body{}";
    std::ofstream(dir_ / "secret.txt") << "top secret";
  }
  relais::testing::TestDirectory dir_{"relais-server-static"};
};

TEST_F(StaticServerTest, ServesFilesSpaFallbackAndRefusesTraversal) {
  Router router;
  router.add("GET", "/api/v1/ping", [](Request&) {
    return Response::json(200, Json{{"pong", 1}});
  });
  ServerOptions options = test_options();
  options.static_root = dir_ / "dist";
  RunningServer server(options, router);
  Client client(server.port());

  BeastResponse css = client.send("GET", "/assets/main.css");
  EXPECT_EQ(css.result_int(), 200);
  EXPECT_EQ(css.body(), "body{}");
  EXPECT_EQ(css[bhttp::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(css[bhttp::field::cache_control], "public, max-age=31536000, immutable");

  BeastResponse page = client.send("GET", "/contacts/12");
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_EQ(page.body(), "<!doctype html><p>app</p>");
  EXPECT_EQ(page[bhttp::field::cache_control], "no-cache");
  EXPECT_FALSE(page["Content-Security-Policy"].empty());

  BeastResponse revalidated =
      client.send("GET", "/", "", {{"If-None-Match", std::string(page[bhttp::field::etag])}});
  EXPECT_EQ(revalidated.result_int(), 304);

  EXPECT_EQ(client.send("GET", "/api/v1/ping").result_int(), 200);
  BeastResponse api_missing = client.send("GET", "/api/v1/unknown");
  EXPECT_EQ(api_missing.result_int(), 404);
  EXPECT_EQ(body_of(api_missing)["error"]["code"], "not_found");

  for (const char* path : {"/%2e%2e/secret.txt", "/assets/%2E%2E/%2e%2e/secret.txt"}) {
    BeastResponse traversal = client.send("GET", path);
    EXPECT_EQ(traversal.result_int(), 400) << path;
    EXPECT_EQ(traversal.body().find("top secret"), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace relais::http
