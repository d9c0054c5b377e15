// Who is on the other end of a request when reverse proxies stand in between. The socket peer
// is the client, unless it is one of the configured trusted proxies (`relais serve
// --trusted-proxy CIDR`), in which case X-Forwarded-For is read from the right: each hop a
// trusted proxy appended is skipped, and the first address that is not a trusted proxy is the
// client (anything further left was written by the client itself and proves nothing). With no
// trusted proxy configured, X-Forwarded-For and X-Forwarded-Proto are ignored: a client could
// otherwise choose its own address (and its own sign-in throttle budget).
//
// Immutable after parse(); safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "http/request.hpp"

namespace relais::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8", "192.168.1.10" (a single host), "::1", "fd00::/8". kBadRequest naming the
  // first entry that is not an IP address or CIDR block.
  static Result<TrustedProxies> parse(const std::vector<std::string>& cidrs);

  bool empty() const { return blocks_.empty(); }
  // True when `address` (an IP literal; IPv4-mapped IPv6 counts as IPv4) is in a block.
  bool contains(std::string_view address) const;

 private:
  struct Block {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix_bits = 0;                   // out of 128
  };
  std::vector<Block> blocks_;
};

// The client's address: the socket peer, or the right-most untrusted X-Forwarded-For hop when
// the peer is a trusted proxy (see the header comment). Always a normalised IP literal when
// the peer is one ("::ffff:1.2.3.4" becomes "1.2.3.4").
std::string client_address(const Request& request, const TrustedProxies& proxies);

// True when a trusted proxy says the client spoke HTTPS to it (X-Forwarded-Proto: https).
bool forwarded_https(const Request& request, const TrustedProxies& proxies);

}  // namespace relais::http
