// Normalisation of a company's web domain. Pure function, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relais::domain {

// "https://www.Example.fr/contact?x" -> "example.fr": lower-cased, without scheme, user
// info, "www.", port, path, query or trailing dot. "" for blank input; nullopt when what is
// left is not a host name with at least two labels.
std::optional<std::string> normalize_company_domain(std::string_view raw);

}  // namespace relais::domain
