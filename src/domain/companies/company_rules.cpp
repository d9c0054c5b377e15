// Companies: a name, a normalised web domain unique across companies, custom fields.
#include "domain/companies/company_domain.hpp"
#include "domain/contacts/contact_fields.hpp"
#include "domain/records/custom_fields.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

class CompanyRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction& tx, const Actor&, const Json* before,
                            Json& candidate) override {
    if (auto it = candidate.find("domain"); it != candidate.end() && it->is_string()) {
      auto domain = normalize_company_domain(it->get<std::string>());
      if (!domain) {
        return Error::field("domain", "'" + it->get<std::string>() + "' is not a web domain");
      }
      if (domain->empty()) {
        candidate["domain"] = nullptr;
      } else {
        const auto existing = tx.find_company_by_domain(*domain);
        const auto self = before ? before->value("id", std::int64_t{0}) : 0;
        if (existing && *existing != self) {
          return Error::conflict(
              "the domain " + *domain + " already belongs to company " + std::to_string(*existing),
              {{"existing_id", *existing}, {"field", "domain"}, {"domain", *domain}});
        }
        candidate["domain"] = *domain;
      }
    }
    if (auto it = candidate.find("phone"); it != candidate.end() && it->is_string()) {
      *it = normalize_phone(it->get<std::string>());
    }
    return validate_custom_fields(tx, "company", before, candidate);
  }

  Result<void> after_write(Transaction&, const Actor&, const Json*, const Json&) override {
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_company_rules() { return std::make_unique<CompanyRules>(); }

}  // namespace relais::domain
