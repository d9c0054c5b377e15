#include "common/time_zones.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace relais::common {
namespace {

// tzdata.zi is zic's compact input: "Z <name> ..." declares a zone, "L <target> <name>" a
// link (an alias such as "UTC" for "Etc/UTC"). Both are valid names for users.
std::set<std::string, std::less<>> load_names() {
  std::set<std::string, std::less<>> names{"UTC", "Etc/UTC"};
  const char* dir = std::getenv("TZDIR");
  const std::string root = dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
  std::ifstream in(root + "/tzdata.zi");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 3 || line[1] != ' ' || (line[0] != 'Z' && line[0] != 'L')) continue;
    std::istringstream fields(line.substr(2));
    std::string first;
    std::string second;
    fields >> first >> second;
    names.insert(line[0] == 'Z' ? first : second);
  }
  names.erase("");
  return names;
}

const std::set<std::string, std::less<>>& names() {
  static const std::set<std::string, std::less<>> known = load_names();
  return known;
}

}  // namespace

bool is_iana_time_zone(std::string_view name) { return names().contains(name); }

std::size_t known_time_zone_count() { return names().size(); }

}  // namespace relais::common
