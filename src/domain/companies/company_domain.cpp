#include "domain/companies/company_domain.hpp"

#include "domain/records/values.hpp"

namespace relais::domain {

std::optional<std::string> normalize_company_domain(std::string_view raw) {
  std::string d = to_lower_ascii(trim(raw));
  if (d.empty()) return std::string();
  if (auto scheme = d.find("://"); scheme != std::string::npos) d.erase(0, scheme + 3);
  if (auto end = d.find_first_of("/?#"); end != std::string::npos) d.erase(end);
  if (auto at = d.rfind('@'); at != std::string::npos) d.erase(0, at + 1);
  if (auto colon = d.find(':'); colon != std::string::npos) d.erase(colon);
  while (!d.empty() && d.back() == '.') d.pop_back();
  if (d.rfind("www.", 0) == 0) d.erase(0, 4);
  if (d.empty() || d.size() > 253 || !is_valid_utf8(d)) return std::nullopt;
  std::size_t start = 0, labels = 0;
  while (start <= d.size()) {
    std::size_t end = d.find('.', start);
    if (end == std::string::npos) end = d.size();
    const std::string_view label = std::string_view(d).substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return std::nullopt;
    }
    for (char c : label) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      static_cast<unsigned char>(c) >= 0x80;
      if (!ok) return std::nullopt;
    }
    ++labels;
    start = end + 1;
  }
  if (labels < 2) return std::nullopt;
  return d;
}

}  // namespace relais::domain
