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
  // entity: "contact" | "company" | "deal". Checks the actor may read the record first.
  Result<Page> timeline(const Actor& actor, const std::string& entity, std::int64_t id, int limit,
                        const std::string& cursor);

 private:
  Store& store_;
};

}  // namespace relais::domain
