#include "http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <optional>

namespace relais::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  ip::address address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::address(ip::make_address_v4(ip::v4_mapped, address.to_v6()));
  }
  return address;
}

std::array<std::uint8_t, 16> as_v6_bytes(const ip::address& address) {
  if (address.is_v4()) return ip::make_address_v6(ip::v4_mapped, address.to_v4()).to_bytes();
  return address.to_v6().to_bytes();
}

// An X-Forwarded-For element: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1" or "[2001:db8::1]:80"
// (RFC 7239 style brackets are accepted too).
std::optional<ip::address> parse_hop(std::string_view hop) {
  hop = trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"')
    hop = hop.substr(1, hop.size() - 2);
  if (!hop.empty() && hop.front() == '[') {
    const auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(hop.substr(1, close - 1));
  }
  if (auto address = parse_address(hop)) return address;
  // IPv4 with a port: exactly one colon.
  const auto colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) {
    if (auto address = parse_address(hop.substr(0, colon)); address && address->is_v4()) {
      return address;
    }
  }
  return std::nullopt;
}

std::string normalised(const std::string& peer) {
  if (auto address = parse_address(peer)) return address->to_string();
  return peer;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& cidrs) {
  TrustedProxies proxies;
  for (const std::string& text : cidrs) {
    const auto invalid = [&] {
      return Error::bad_request("--trusted-proxy '" + text +
                                "' is not an IP address or a CIDR block such as 10.0.0.0/8");
    };
    const std::string_view entry = trim(text);
    const auto slash = entry.find('/');
    const auto address = parse_address(entry.substr(0, slash));
    if (!address) return invalid();
    const int max_bits = address->is_v4() ? 32 : 128;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || bits < 0 ||
          bits > max_bits) {
        return invalid();
      }
    }
    proxies.blocks_.push_back(Block{as_v6_bytes(*address), bits + (128 - max_bits)});
  }
  return proxies;
}

bool TrustedProxies::contains(std::string_view text) const {
  if (blocks_.empty()) return false;
  const auto address = parse_address(trim(text));
  if (!address) return false;
  const auto bytes = as_v6_bytes(*address);
  for (const Block& block : blocks_) {
    int bits = block.prefix_bits;
    bool match = true;
    for (std::size_t i = 0; i < bytes.size() && bits > 0 && match; ++i, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits));
      match = (bytes[i] & mask) == (block.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string client_address(const Request& request, const TrustedProxies& proxies) {
  std::string client = normalised(request.remote_address);
  if (!proxies.contains(client)) return client;
  // Several X-Forwarded-For headers arrive joined by ", " (http::Server), in order.
  const std::string forwarded = request.header("x-forwarded-for");
  std::string_view rest = forwarded;
  while (!trim(rest).empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    const auto address = parse_hop(hop);
    // Garbage where an address should be: the last trusted hop is all we know for sure.
    if (!address) return client;
    client = address->to_string();
    if (!proxies.contains(client)) return client;
  }
  return client;  // every hop is a trusted proxy: the left-most one
}

bool forwarded_https(const Request& request, const TrustedProxies& proxies) {
  if (!proxies.contains(normalised(request.remote_address))) return false;
  // The nearest proxy's word is the right-most value.
  const std::string proto = request.header("x-forwarded-proto");
  std::string_view value = proto;
  if (const auto comma = value.rfind(','); comma != std::string_view::npos) {
    value = value.substr(comma + 1);
  }
  value = trim(value);
  return value.size() == 5 && (value[0] | 0x20) == 'h' && (value[1] | 0x20) == 't' &&
         (value[2] | 0x20) == 't' && (value[3] | 0x20) == 'p' && (value[4] | 0x20) == 's';
}

}  // namespace relais::http
