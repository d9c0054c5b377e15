// Contacts: e-mails normalised and unique across contacts, phones normalised, at least a
// name or an e-mail, custom fields checked against their definitions.
#include <algorithm>

#include "domain/contacts/contact_fields.hpp"
#include "domain/records/custom_fields.hpp"
#include "domain/records/rule_factories.hpp"
#include "domain/records/validation.hpp"

namespace relais::domain {
namespace {

std::optional<std::int64_t> id_of(const Json* record) {
  if (record == nullptr) return std::nullopt;
  auto it = record->find("id");
  if (it == record->end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::vector<std::string> strings_of(const Json& record, const char* name) {
  std::vector<std::string> out;
  auto it = record.find(name);
  if (it == record.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

void push_unique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

bool has_text(const Json& record, const char* name) {
  auto it = record.find(name);
  return it != record.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

Error email_taken(const std::string& email, std::int64_t existing_id) {
  Error error = Error::conflict(
      "the e-mail address " + email + " already belongs to contact " + std::to_string(existing_id),
      {{"existing_id", existing_id}, {"field", "emails"}, {"email", email}});
  error.fields["emails"] = error.message;
  return error;
}

class ContactRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    std::map<std::string, std::string> errors;
    std::vector<std::string> emails;
    for (const auto& raw : strings_of(candidate, "emails")) {
      auto email = normalize_email(raw);
      if (!email) {
        errors["emails"] = "'" + raw + "' is not a valid e-mail address";
        continue;
      }
      push_unique(emails, std::move(*email));
    }
    std::vector<std::string> phones;
    for (const auto& raw : strings_of(candidate, "phones")) {
      std::string phone = normalize_phone(raw);
      if (!phone.empty()) push_unique(phones, std::move(phone));
    }
    candidate["emails"] = emails;
    candidate["phones"] = phones;
    if (!has_text(candidate, "first_name") && !has_text(candidate, "last_name") && emails.empty()) {
      errors["first_name"] = "a contact needs a first name, a last name or an e-mail address";
    }
    if (!errors.empty()) return Error::validation(summarize_field_errors(errors), errors);

    const auto self = id_of(before);
    for (const auto& email : emails) {
      const auto owner = tx.find_contact_by_email(email);
      if (owner && owner != self) return email_taken(email, *owner);
    }
    return validate_custom_fields(tx, "contact", before, candidate);
  }

  Result<void> after_write(Transaction& tx, const Actor&, const Json* before,
                           const Json& after) override {
    const auto emails = strings_of(after, "emails");
    if (before && strings_of(*before, "emails") == emails) return {};
    const std::int64_t id = after.value("id", std::int64_t{0});
    auto indexed =
        before != nullptr ? tx.set_contact_emails(id, emails) : tx.add_contact_emails(id, emails);
    if (indexed.ok()) return {};
    Error error = std::move(indexed).error();
    if (error.code == ErrorCode::kConflict && error.details.contains("existing_id")) {
      // The storage message is generic; name the contact that owns the address.
      error.message = "one of these e-mail addresses already belongs to contact " +
                      error.details["existing_id"].dump();
    }
    return error;
  }

  Result<void> before_delete(Transaction& tx, const Actor&, const Json& record) override {
    return tx.set_contact_emails(record.value("id", std::int64_t{0}), {});
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_contact_rules() { return std::make_unique<ContactRules>(); }

}  // namespace relais::domain
