// Wall-clock helpers shared by the storage engines.
#pragma once

#include <cstdint>
#include <string>

namespace relais::storage {

// Now in UTC, ISO 8601 with milliseconds: "2026-11-25T14:03:07.123Z" (sorts as text).
std::string now_iso();
std::int64_t now_epoch_ms();

}  // namespace relais::storage
