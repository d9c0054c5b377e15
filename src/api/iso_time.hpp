// ISO 8601 UTC <-> epoch milliseconds, for the few API fields the services express in ms
// (session and token expiry). Record timestamps are already ISO strings from the domain.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace relais::api {

// "2026-11-25T14:30:00Z" (".123" added when the milliseconds are not zero).
std::string format_iso8601(std::int64_t epoch_ms);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]" followed by "Z" or "+HH:MM"/"-HH:MM"; nullopt otherwise.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace relais::api
