// Folding of labels for forgiving matches: "Prénom", "PRENOM" and "prenom" are the same
// header; "Date de clôture prévue" matches "date_de_cloture_prevue". Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace relais::domain::importing {

// Lower-cases ASCII, strips the accents of Latin-1 letters (and œ/æ → oe/ae), turns every
// other non-alphanumeric character (spaces, '_', '-', apostrophes, punctuation) into one
// space, and trims. Characters outside Latin-1 are kept as they are.
std::string fold_label(std::string_view text);

}  // namespace relais::domain::importing
