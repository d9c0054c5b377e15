// Activities, tasks and notes hang off a contact, a company or a deal.
#pragma once

#include "common/result.hpp"

namespace relais::domain {

inline bool links_a_record(const Json& record) {
  for (const char* name : {"contact_id", "company_id", "deal_id"}) {
    auto it = record.find(name);
    if (it != record.end() && !it->is_null()) return true;
  }
  return false;
}

inline Error needs_link(const char* what) {
  return Error::validation(std::string(what) + " must be linked to a contact, a company or a deal",
                           {{"contact_id", "link a contact, a company or a deal"}});
}

}  // namespace relais::domain
