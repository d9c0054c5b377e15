// Realistic, deterministic demo data for a French SMB: users in teams, the default French
// sales pipeline, companies, contacts, deals with stage histories, activities and tasks.
// Everything goes through the domain services (validation, audit, events), in batched
// write units. Content is fixed by a seeded PRNG; dates are relative to today. Records are
// written as of their own past instants (Transaction::set_effective_time): creation times,
// stage histories, audit and events spread over the last 18 months, never in the future.
// Idempotent: when the demo admin already exists nothing is written.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.hpp"

namespace relais::domain {
struct Services;
}

namespace relais::domain::demo {

inline constexpr const char* kDemoAdminEmail = "admin@demo.relais.fr";
inline constexpr const char* kDemoPassword = "relais-demo-2026";

struct DemoOptions {
  std::size_t companies = 300;
  std::size_t contacts = 2000;
  std::size_t deals = 500;
  std::size_t activities = 3000;
  std::size_t tasks = 400;
  std::size_t batch_size = 500;
};

struct DemoSummary {
  bool already_present = false;
  std::size_t users = 0, teams = 0, companies = 0, contacts = 0, deals = 0, activities = 0,
              tasks = 0;
};

Result<DemoSummary> load_demo(Services& services, const DemoOptions& options = {});

}  // namespace relais::domain::demo
