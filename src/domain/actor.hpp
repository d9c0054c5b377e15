// Who is acting: passed to every service call, used for permissions and the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace relais::domain {

enum class Role { kAdmin, kManager, kSales, kMarketing, kSupport, kReadonly };

const char* role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct Actor {
  std::int64_t user_id = 0;  // 0 = the system itself (CLI import, demo loader, jobs)
  Role role = Role::kReadonly;
  std::optional<std::int64_t> team_id;
  std::string locale = "fr";

  static Actor system() { return Actor{0, Role::kAdmin, std::nullopt, "fr"}; }
  bool is_system() const { return user_id == 0; }
};

}  // namespace relais::domain
