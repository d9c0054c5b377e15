#include "domain/importing/text_fold.hpp"

#include <array>

namespace relais::domain::importing {
namespace {

// ASCII replacements for U+00C0..U+00DF and U+00E0..U+00FF (same letters, both cases);
// "" marks the two signs (× and ÷) that fold to a separator.
constexpr std::array<const char*, 32> kLatin1Letters = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss"};

}  // namespace

std::string fold_label(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto emit = [&](std::string_view piece) {
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        emit(std::string_view(&text[i], 1));
      } else if (c >= 'A' && c <= 'Z') {
        char lower = static_cast<char>(c - 'A' + 'a');
        emit(std::string_view(&lower, 1));
      } else {
        pending_space = true;
      }
      continue;
    }
    auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (c == 0xC3 && next >= 0x80 && next <= 0xBF) {
      unsigned index = (next - 0x80) % 32;
      const char* folded = next == 0xBF ? "y" : kLatin1Letters[index];
      if (*folded) {
        emit(folded);
      } else {
        pending_space = true;
      }
      ++i;
    } else if (c == 0xC5 && (next == 0x92 || next == 0x93)) {  // Œ œ
      emit("oe");
      ++i;
    } else if (c == 0xC2) {  // NBSP, «, », °, ... : separators
      pending_space = true;
      ++i;
    } else if (c == 0xE2 && next == 0x80) {  // ’ ‘ “ ” – — and the narrow no-break space
      pending_space = true;
      i += 2;
    } else {
      // Keep any other character (a whole UTF-8 sequence) as it is.
      std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      emit(text.substr(i, len));
      i += len - 1;
    }
  }
  return out;
}

}  // namespace relais::domain::importing
