// Fuzzes what a JSON request body goes through before anything reaches the database:
//   - api::parse_json_object: Content-Type, UTF-8 and nesting checks on the raw bytes, then
//     nlohmann's parser (the bytes are the body as the server receives it);
//   - the unknown-field checks of the fixed-shape bodies (login, password change, token,
//     merge) and the token's ISO 8601 expiry;
//   - domain::validate_record in create and update mode for every record type, then the pure
//     normalisations their rules apply (e-mails and phones of contacts, a company's domain,
//     pipeline stages);
//   - the response every outcome renders (the record, or the error echoing user input).
// Crashes, sanitizer reports and uncaught exceptions are bugs: each would be a 500 or worse.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/handler_support.hpp"
#include "api/iso_time.hpp"
#include "domain/companies/company_domain.hpp"
#include "domain/contacts/contact_fields.hpp"
#include "domain/pipelines/pipeline_stages.hpp"
#include "domain/records/validation.hpp"
#include "domain/schema/entity_schema.hpp"
#include "http/request.hpp"

namespace {

using relais::Json;
namespace api = relais::api;
namespace domain = relais::domain;
namespace http = relais::http;

// The outcome is rendered as the server would send it; the bytes are not checked further.
void render(const relais::Result<Json>& result, int status) {
  const http::Response response = result.ok() ? http::Response::json(status, result.value())
                                              : http::Response::error(result.error());
  if (response.body.empty()) __builtin_trap();
}

void check_fixed_shapes(const Json& body) {
  for (auto allowed : {std::initializer_list<const char*>{"email", "password"},
                       std::initializer_list<const char*>{"current_password", "new_password"},
                       std::initializer_list<const char*>{"name", "expires_at"},
                       std::initializer_list<const char*>{"from"}}) {
    if (auto checked = api::reject_unknown_fields(body, allowed); !checked.ok()) {
      (void)http::Response::error(checked.error());
    }
  }
  if (auto expires = body.find("expires_at"); expires != body.end() && expires->is_string()) {
    (void)api::parse_iso8601(expires->get_ref<const std::string&>());
  }
}

// What the type rules do to a validated record without a database.
void normalise(const domain::EntitySchema& schema, const Json& record) {
  auto strings = [&](const char* name, auto&& each) {
    const auto it = record.find(name);
    if (it == record.end()) return;
    if (it->is_string()) each(it->get_ref<const std::string&>());
    if (!it->is_array()) return;
    for (const auto& item : *it) {
      if (item.is_string()) each(item.get_ref<const std::string&>());
    }
  };
  if (schema.name == "contact" || schema.name == "company") {
    strings("emails", [](const std::string& e) {
      // Normalising an address twice must not change it again (it is stored normalised and
      // compared for duplicates in that form).
      if (auto once = domain::normalize_email(e)) {
        auto twice = domain::normalize_email(*once);
        if (!twice || *twice != *once) __builtin_trap();
      }
    });
    strings("phones", [](const std::string& p) { (void)domain::normalize_phone(p); });
    strings("phone", [](const std::string& p) { (void)domain::normalize_phone(p); });
    strings("domain", [](const std::string& d) { (void)domain::normalize_company_domain(d); });
  }
  if (const auto stages = record.find("stages"); stages != record.end()) {
    render(domain::normalize_stages(*stages), 200);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::Request request;
  request.method = "POST";
  request.headers["content-type"] = "application/json; charset=utf-8";
  request.body.assign(reinterpret_cast<const char*>(data), size);

  relais::Result<Json> body = api::parse_json_object(request);
  if (!body.ok()) {
    render(body, 400);
    return 0;
  }
  check_fixed_shapes(*body);
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    for (auto mode : {domain::ValidationMode::kCreate, domain::ValidationMode::kUpdate}) {
      auto validated = domain::validate_record(*schema, *body, mode);
      render(validated, 201);
      if (validated.ok()) normalise(*schema, validated.value());
    }
  }
  return 0;
}
