// Normalisation of contact coordinates. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relais::domain {

// Trimmed and lower-cased address when it looks like one (local@domain.tld, RFC 5322
// "dot-atom" local part, LDH domain labels); nullopt otherwise.
std::optional<std::string> normalize_email(std::string_view raw);

// E.164 where the number allows it: French national numbers ("06 12 34 56 78",
// "+33 (0)6 ...", "0033 6 ...") become "+33612345678"; numbers starting with + or 00 keep
// their digits only; anything else (extensions, letters, short numbers) is kept as typed,
// trimmed. Empty input gives "".
std::string normalize_phone(std::string_view raw);

}  // namespace relais::domain
