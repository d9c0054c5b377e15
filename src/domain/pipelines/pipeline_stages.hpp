// Pipeline stage lists: normalisation (slug ids, defaults) and validation. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace relais::domain {

// "Proposition envoyée" -> "proposition_envoyee": ASCII lower-case, accents folded,
// other characters collapsed into '_'. "stage" when nothing is left.
std::string slugify(std::string_view name);

// Checks and completes `stages`: a non-empty list of {id, name, probability 0..100,
// kind open|won|lost}; id generated from the name when missing and unique (suffix _2, _3..);
// probability defaults to 100 for won, 0 otherwise; kind defaults to open; at least one open
// stage. kValidationFailed naming "stages" on error.
Result<Json> normalize_stages(const Json& stages);

}  // namespace relais::domain
