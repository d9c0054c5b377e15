// Character-set handling for uploaded text (CSV imports): UTF-8 validation and transcoding
// of Windows-1252 / Latin-1, which French Excel writes by default ("CSV (séparateur: point-
// virgule)"). Pure functions, no shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace relais::common {

// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF are rejected), or nullopt when valid.
std::optional<std::size_t> find_invalid_utf8(std::string_view bytes);
inline bool is_valid_utf8(std::string_view bytes) { return !find_invalid_utf8(bytes); }

// Transcodes Windows-1252 to UTF-8. Bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D (undefined in
// 1252) map to the same-numbered C1 control, as Latin-1 does.
std::string windows1252_to_utf8(std::string_view bytes);

struct DecodedText {
  std::string text;      // UTF-8, without byte-order mark
  std::string encoding;  // "utf-8" or "windows-1252"
};

// Returns the text as UTF-8: unchanged when already valid UTF-8 (a BOM is removed),
// transcoded when it looks like Windows-1252/Latin-1. kBadRequest naming the byte offset
// when it is neither (binary data, UTF-16, bytes undefined in Windows-1252).
Result<DecodedText> decode_to_utf8(std::string_view bytes);

}  // namespace relais::common
