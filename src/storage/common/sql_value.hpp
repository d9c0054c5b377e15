// A value bound to one SQL parameter, the same for both engines: SQLite binds it natively,
// PostgreSQL sends it as text and lets the server type it from the statement.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace relais::storage {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

}  // namespace relais::storage
