#include "domain/actor.hpp"

#include <array>
#include <utility>

namespace relais::domain {
namespace {

constexpr std::array<std::pair<Role, const char*>, 6> kRoleNames = {{
    {Role::kAdmin, "admin"},
    {Role::kManager, "manager"},
    {Role::kSales, "sales"},
    {Role::kMarketing, "marketing"},
    {Role::kSupport, "support"},
    {Role::kReadonly, "readonly"},
}};

}  // namespace

const char* role_name(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "readonly";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (name == n) return r;
  }
  return std::nullopt;
}

}  // namespace relais::domain
