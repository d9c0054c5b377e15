#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/store.hpp"

namespace relais::domain {

class RecordService;

class ContactMergeService {
 public:
  ContactMergeService(Store& store, RecordService& contacts);
  // Moves everything of `from_id` onto `into_id` (e-mails, phones, tags, empty fields,
  // activities, tasks, notes, deals), deletes `from_id`; one transaction, audited.
  Result<Json> merge(const Actor& actor, std::int64_t into_id, std::int64_t from_id);

 private:
  Store& store_;
  RecordService& contacts_;
};

}  // namespace relais::domain
