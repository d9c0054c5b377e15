// Notes: a body (schema) attached to a contact, company or deal.
#include "domain/records/linked_record.hpp"
#include "domain/records/rule_factories.hpp"

namespace relais::domain {
namespace {

class NoteRules final : public RecordRules {
 public:
  Result<void> before_write(Transaction&, const Actor&, const Json*, Json& candidate) override {
    const Json body = candidate.value("body", Json());
    if (!body.is_string() || body.get_ref<const std::string&>().empty()) {
      return Error::field("body", "is required");
    }
    if (!links_a_record(candidate)) return needs_link("a note");
    return {};
  }
  Result<void> after_write(Transaction&, const Actor&, const Json*, const Json&) override {
    return {};
  }
};

}  // namespace

std::unique_ptr<RecordRules> make_note_rules() { return std::make_unique<NoteRules>(); }

}  // namespace relais::domain
