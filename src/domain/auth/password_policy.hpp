// What a new password must be (OWASP ASVS 4.0 §2.1): checked when a user is created (CLI or
// admin API) and when a password is changed, never at sign-in (old passwords keep working
// until changed). No composition rules (ASVS 2.1.9); instead:
// - 12 to 128 characters, counted as Unicode code points after runs of white space are
//   collapsed into one (2.1.1, 2.1.2, 2.1.3: spaces and any Unicode are allowed);
// - not white space only;
// - not in the list of common and breached passwords shipped in the binary
//   (common_passwords.txt, see scripts/generate-common-passwords), compared ignoring case
//   (2.1.7).
// Pure functions, thread-safe (the list is parsed once, on first use).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace relais::domain {

inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordChars = 128;

// kValidationFailed on `field` (e.g. "password", "new_password") saying what is wrong.
Result<void> check_new_password(std::string_view password, const std::string& field);

// True when `password` is in the shipped list, ignoring ASCII case.
bool is_common_password(std::string_view password);

// The embedded common_passwords.txt (generated at build time from the file in the repo).
std::string_view common_passwords_text();

}  // namespace relais::domain
