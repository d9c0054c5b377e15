// ISO 8601 -> epoch milliseconds, for the few API fields the services express in ms (session
// and token expiry). The other way is domain::format_epoch_ms, the one form of every date-time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace relais::api {

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]" followed by "Z" or "+HH:MM"/"-HH:MM"; nullopt otherwise.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace relais::api
