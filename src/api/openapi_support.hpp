// Building blocks of the OpenAPI document, shared by the files that describe one area each
// (openapi.cpp for records, openapi_auth.cpp for sign-in and tokens, openapi_jobs.cpp for the
// job queue, openapi_import_export.cpp, openapi_schema.cpp for GET /api/v1/schema).
#pragma once

#include <initializer_list>
#include <string>

#include "common/result.hpp"

namespace relais::api {

Json schema_ref(const std::string& component);
Json page_schema(const Json& item);
Json json_content(const Json& schema);
Json json_response(const std::string& description, const Json& schema);
// Adds the error responses an operation can produce, one per distinct HTTP status.
void add_errors(Json& operation, std::initializer_list<ErrorCode> codes);
Json operation(const std::string& id, const std::string& summary, const std::string& tag);
Json json_body(const Json& schema);
Json param_ref(const std::string& name);

inline const std::initializer_list<ErrorCode> kAuthErrors = {ErrorCode::kUnauthorized,
                                                             ErrorCode::kForbidden};
inline const std::initializer_list<ErrorCode> kBodyErrors = {
    ErrorCode::kBadRequest, ErrorCode::kValidationFailed, ErrorCode::kPayloadTooLarge,
    ErrorCode::kUnsupportedMediaType};

// Sign-in, sessions and API tokens (openapi_auth.cpp).
void add_auth_paths(Json& paths);
// CSV import and export (openapi_import_export.cpp).
void add_import_export_paths(Json& paths);
// GET /api/v1/schema and its component schemas (openapi_schema.cpp).
void add_schema_paths(Json& paths);
void add_schema_schemas(Json& schemas);
// The job queue's paths and component schemas (openapi_jobs.cpp).
void add_job_paths(Json& paths);
void add_job_schemas(Json& schemas);

}  // namespace relais::api
