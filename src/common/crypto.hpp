// Cryptographic helpers on libsodium: password hashing (argon2id), random tokens, SHA-256.
// Thread-safe: libsodium is initialised once (std::call_once) before first use.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

struct crypto_hash_sha256_state;  // <sodium.h> stays out of this header

namespace relais::crypto {

// argon2id with libsodium's INTERACTIVE limits; the encoded string embeds salt and params.
// kInternal only when the machine cannot provide the memory.
Result<std::string> hash_password(std::string_view password);
// True when `password` matches `encoded` (crypto_pwhash_str_verify; constant time).
bool verify_password(std::string_view encoded, std::string_view password);

// `bytes` random bytes, base64url without padding.
std::string random_token(std::size_t bytes = 32);

// Lower-case hex of SHA-256(data): how tokens are stored.
std::string sha256_hex(std::string_view data);

// SHA-256 over data given in pieces (a streamed blob): update() any number of times, then
// final_hex() once. Holds libsodium's state only (a few hundred bytes), never the data.
// Threading: one thread at a time.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;
  void update(std::string_view data);
  // Lower-case hex of the digest of everything given; the stream must not be used after.
  std::string final_hex();

 private:
  std::unique_ptr<crypto_hash_sha256_state> state_;
};

// Compares without leaking where the inputs differ (lengths are not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace relais::crypto
