// Checks on raw request bytes made before they reach the JSON parser: the body must be
// UTF-8, and nesting must stay shallow so that no later recursive walk (dump, destructor,
// validation) can exhaust a worker thread's stack on a hostile body.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace relais::api {

inline constexpr std::size_t kMaxJsonDepth = 64;

// Byte offset of the first invalid UTF-8 sequence (overlongs, surrogates and code points
// above U+10FFFF are invalid), or nullopt when `text` is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// Byte offset where array/object nesting first exceeds `max_depth` (brackets inside JSON
// strings are ignored), or nullopt.
std::optional<std::size_t> find_excessive_nesting(std::string_view json,
                                                  std::size_t max_depth = kMaxJsonDepth);

}  // namespace relais::api
