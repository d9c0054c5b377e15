// Request-target parsing: percent-decoding of the path and the query string. Pure functions,
// no I/O, so the rules (what counts as malformed) are unit-tested directly.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace relais::http {

// Decodes %XX escapes; with plus_as_space, '+' becomes ' ' (form/query encoding).
// kBadRequest on a truncated or non-hex escape.
Result<std::string> percent_decode(std::string_view text, bool plus_as_space);

struct Target {
  std::string path;                               // decoded, starts with '/'
  std::multimap<std::string, std::string> query;  // decoded names and values
};

// Splits an origin-form target ("/a/b?x=1&y") into decoded path and query. kBadRequest when
// the target does not start with '/', an escape is malformed, or the path decodes to a NUL.
// A parameter without '=' gets an empty value.
Result<Target> parse_target(std::string_view target);

}  // namespace relais::http
