#include "http/client_address.hpp"

#include <gtest/gtest.h>

namespace relais::http {
namespace {

Request from(const std::string& peer, const std::string& forwarded_for = {},
             const std::string& forwarded_proto = {}) {
  Request request;
  request.remote_address = peer;
  if (!forwarded_for.empty()) request.headers["x-forwarded-for"] = forwarded_for;
  if (!forwarded_proto.empty()) request.headers["x-forwarded-proto"] = forwarded_proto;
  return request;
}

TrustedProxies trusted(const std::vector<std::string>& cidrs) {
  auto parsed = TrustedProxies::parse(cidrs);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(parsed).value() : TrustedProxies();
}

TEST(ClientAddress, WithoutTrustedProxiesForwardedHeadersAreIgnored) {
  const TrustedProxies none;
  EXPECT_EQ(client_address(from("203.0.113.5", "198.51.100.1"), none), "203.0.113.5");
  EXPECT_FALSE(forwarded_https(from("203.0.113.5", "", "https"), none));
  // IPv4-mapped peers are shown as IPv4.
  EXPECT_EQ(client_address(from("::ffff:203.0.113.5"), none), "203.0.113.5");
}

TEST(ClientAddress, AnUntrustedPeerCannotChooseItsAddress) {
  const TrustedProxies proxies = trusted({"10.0.0.0/8"});
  EXPECT_EQ(client_address(from("203.0.113.5", "10.1.1.1, 198.51.100.1"), proxies), "203.0.113.5");
  EXPECT_FALSE(forwarded_https(from("203.0.113.5", "", "https"), proxies));
}

TEST(ClientAddress, TheRightMostUntrustedHopIsTheClient) {
  const TrustedProxies proxies = trusted({"10.0.0.0/8", "192.168.1.10", "fd00::/8"});
  // nginx appends the address it saw: "<what the client sent>, <client>".
  EXPECT_EQ(client_address(from("10.0.0.2", "198.51.100.7"), proxies), "198.51.100.7");
  EXPECT_EQ(client_address(from("10.0.0.2", "1.2.3.4, 198.51.100.7"), proxies), "198.51.100.7");
  // Through two trusted proxies.
  EXPECT_EQ(client_address(from("10.0.0.2", "6.6.6.6, 198.51.100.7, 192.168.1.10"), proxies),
            "198.51.100.7");
  EXPECT_EQ(client_address(from("fd00::1", "2001:db8::42"), proxies), "2001:db8::42");
  EXPECT_EQ(client_address(from("10.0.0.2", "[2001:db8::42]:443"), proxies), "2001:db8::42");
  EXPECT_EQ(client_address(from("10.0.0.2", "198.51.100.7:5000"), proxies), "198.51.100.7");
  // No header: the proxy itself; only trusted hops: the left-most of them.
  EXPECT_EQ(client_address(from("10.0.0.2"), proxies), "10.0.0.2");
  EXPECT_EQ(client_address(from("10.0.0.2", "10.9.9.9"), proxies), "10.9.9.9");
  // Garbage in the chain: the last trusted hop is all that is known.
  EXPECT_EQ(client_address(from("10.0.0.2", "198.51.100.7, not-an-ip"), proxies), "10.0.0.2");
  EXPECT_EQ(client_address(from("10.0.0.2", "not-an-ip, 10.3.3.3"), proxies), "10.3.3.3");
}

TEST(ClientAddress, ForwardedProtoFromATrustedProxy) {
  const TrustedProxies proxies = trusted({"127.0.0.1/32"});
  EXPECT_TRUE(forwarded_https(from("127.0.0.1", "", "https"), proxies));
  EXPECT_TRUE(forwarded_https(from("127.0.0.1", "", "http, HTTPS"), proxies));
  EXPECT_FALSE(forwarded_https(from("127.0.0.1", "", "http"), proxies));
  EXPECT_FALSE(forwarded_https(from("127.0.0.1"), proxies));
}

TEST(ClientAddress, CidrParsing) {
  EXPECT_TRUE(trusted({"10.0.0.0/8"}).contains("10.255.0.1"));
  EXPECT_FALSE(trusted({"10.0.0.0/8"}).contains("11.0.0.1"));
  EXPECT_TRUE(trusted({"10.0.0.0/8"}).contains("::ffff:10.0.0.1"));
  EXPECT_TRUE(trusted({"172.16.0.0/12"}).contains("172.31.255.255"));
  EXPECT_FALSE(trusted({"172.16.0.0/12"}).contains("172.32.0.0"));
  EXPECT_TRUE(trusted({"0.0.0.0/0"}).contains("8.8.8.8"));
  EXPECT_FALSE(trusted({"0.0.0.0/0"}).contains("2001:db8::1"));
  EXPECT_TRUE(trusted({"::1"}).contains("::1"));
  EXPECT_FALSE(trusted({"::1"}).contains("127.0.0.1"));
  EXPECT_FALSE(trusted({"10.0.0.1"}).contains("10.0.0.2"));
  for (const char* bad : {"10.0.0.0/33", "nope", "10.0.0.0/", "10.0.0.0/8x", "::/129", ""}) {
    auto parsed = TrustedProxies::parse({bad});
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::kBadRequest);
  }
}

}  // namespace
}  // namespace relais::http
