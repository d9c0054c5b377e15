// Result<T>: expected outcomes (validation, not found, conflict, forbidden...) as values.
// Exceptions are kept for what aborts a whole operation (bugs, I/O failure); everything a
// user can cause is an Error, mapped to an HTTP status in exactly one place (http::status_for,
// http/request.cpp).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <variant>

namespace relais {

using Json = nlohmann::json;

enum class ErrorCode {
  kBadRequest,        // malformed request: bad JSON, bad UTF-8, bad query parameter
  kValidationFailed,  // well-formed but invalid values; `fields` says which
  kUnauthorized,
  kForbidden,
  kNotFound,
  kConflict,  // uniqueness or stale version
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kRateLimited,
  kInternal,
};

// Stable wire name of a code ("validation_failed", "not_found", ...).
const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;                        // safe to show to the client
  std::map<std::string, std::string> fields;  // per-field messages
  Json details = Json::object();              // extra machine-readable data (e.g. existing_id)

  static Error bad_request(std::string message);
  static Error validation(std::string message, std::map<std::string, std::string> fields = {});
  static Error field(const std::string& name, std::string message);
  static Error unauthorized(std::string message = "authentication required");
  static Error forbidden(std::string message = "you are not allowed to do this");
  static Error not_found(std::string message);
  static Error conflict(std::string message, Json details = Json::object());
  static Error internal(std::string message = "internal error");

  Json to_json() const;  // {"error": {"code","message","fields"?, ...details}}
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

inline Result<void> ok_result() { return {}; }

}  // namespace relais

// Propagate an error from an expression yielding Result<...>.
#define RELAIS_TRY(expr)                                             \
  do {                                                               \
    auto&& relais_try_result_ = (expr);                              \
    if (!relais_try_result_.ok()) return relais_try_result_.error(); \
  } while (0)

#define RELAIS_CONCAT_INNER(a, b) a##b
#define RELAIS_CONCAT(a, b) RELAIS_CONCAT_INNER(a, b)
// Declare `lhs` from the value of a Result, or return its error.
#define RELAIS_ASSIGN_OR_RETURN(lhs, expr) \
  RELAIS_ASSIGN_OR_RETURN_IMPL(RELAIS_CONCAT(relais_result_, __LINE__), lhs, expr)
// `tmp` is a fresh identifier and `lhs` a declaration such as `auto x`: neither may be
// parenthesised, so bugprone-macro-parentheses does not apply here.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define RELAIS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
