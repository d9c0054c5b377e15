// The OpenAPI 3.1 description of /api/v1, generated from the EntitySchemas so that field
// names, types, enums, required and read-only flags are declared once (in domain/schema).
#pragma once

#include "common/result.hpp"

namespace relais::api {

// Built once on first use (thread-safe static initialisation), immutable afterwards.
const Json& openapi_document();

}  // namespace relais::api
