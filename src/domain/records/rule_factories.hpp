// The RecordRules of each built-in record type; each lives beside its area
// (contacts/contact_rules.cpp, deals/deal_rules.cpp, ...). Wired in services.cpp.
#pragma once

#include <memory>

#include "domain/auth/session_cache.hpp"
#include "domain/records/record_service.hpp"

namespace relais::domain {

std::unique_ptr<RecordRules> make_contact_rules();
std::unique_ptr<RecordRules> make_company_rules();
std::unique_ptr<RecordRules> make_pipeline_rules();
std::unique_ptr<RecordRules> make_deal_rules();
std::unique_ptr<RecordRules> make_activity_rules();
std::unique_ptr<RecordRules> make_task_rules();
std::unique_ptr<RecordRules> make_note_rules();
std::unique_ptr<RecordRules> make_user_rules();
// Same, and invalidates `session_cache` for a user whose role, team, locale or active flag
// changes, or who is deleted (shared with AuthService; may be null).
std::unique_ptr<RecordRules> make_user_rules(std::shared_ptr<SessionCache> session_cache);
std::unique_ptr<RecordRules> make_team_rules();
std::unique_ptr<RecordRules> make_custom_field_rules();

}  // namespace relais::domain
