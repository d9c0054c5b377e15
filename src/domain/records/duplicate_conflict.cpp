#include "domain/records/duplicate_conflict.hpp"

#include <string>

#include "domain/records/reference_checks.hpp"

namespace relais::domain {

Error conceal_unreadable_holder(Transaction& tx, const Actor& actor, const EntitySchema& schema,
                                Error error) {
  if (error.code != ErrorCode::kConflict || !error.details.is_object()) return error;
  const auto it = error.details.find("existing_id");
  if (it == error.details.end() || !it->is_number_integer()) return error;
  auto holder = find_readable(tx, actor, schema, it->get<std::int64_t>());
  if (holder.ok() && holder->has_value()) return error;  // readable: name it

  error.details.erase("existing_id");
  std::string what = "this value";
  if (auto email = error.details.find("email");
      email != error.details.end() && email->is_string()) {
    what = "the e-mail address " + email->get<std::string>();
  } else if (auto domain = error.details.find("domain");
             domain != error.details.end() && domain->is_string()) {
    what = "the domain " + domain->get<std::string>();
  }
  error.message = what + " is already used by another " + schema.name;
  for (auto& [field, message] : error.fields) message = error.message;
  return error;
}

}  // namespace relais::domain
