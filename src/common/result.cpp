#include "common/result.hpp"

namespace relais {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kValidationFailed:
      return "validation_failed";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported_media_type";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Error Error::bad_request(std::string message) {
  return Error{ErrorCode::kBadRequest, std::move(message)};
}
Error Error::validation(std::string message, std::map<std::string, std::string> fields) {
  return Error{ErrorCode::kValidationFailed, std::move(message), std::move(fields)};
}
Error Error::field(const std::string& name, std::string message) {
  Error e{ErrorCode::kValidationFailed, name + ": " + message};
  e.fields[name] = std::move(message);
  return e;
}
Error Error::unauthorized(std::string message) {
  return Error{ErrorCode::kUnauthorized, std::move(message)};
}
Error Error::forbidden(std::string message) {
  return Error{ErrorCode::kForbidden, std::move(message)};
}
Error Error::not_found(std::string message) {
  return Error{ErrorCode::kNotFound, std::move(message)};
}
Error Error::conflict(std::string message, Json details) {
  return Error{ErrorCode::kConflict, std::move(message), {}, std::move(details)};
}
Error Error::internal(std::string message) {
  return Error{ErrorCode::kInternal, std::move(message)};
}

Json Error::to_json() const {
  Json body = details.is_object() ? details : Json::object();
  body["code"] = error_code_name(code);
  body["message"] = message;
  if (!fields.empty()) body["fields"] = fields;
  return Json{{"error", std::move(body)}};
}

}  // namespace relais
