#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/store.hpp"

namespace relais::domain {

class TimelineService {
 public:
  explicit TimelineService(Store& store);
  // entity: a schema with has_timeline ("contact" | "company" | "deal"). Checks the actor may
  // read the record first. Its linked records of every on_timeline type (activities, notes,
  // tasks) show only where the actor's own lists of them would
  // show them (permissions.hpp, visibility_as_listed): a readable parent does not make an
  // unreadable child readable.
  Result<Page> timeline(const Actor& actor, const std::string& entity, std::int64_t id, int limit,
                        const std::string& cursor);

 private:
  Store& store_;
};

}  // namespace relais::domain
