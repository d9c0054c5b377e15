#include "common/text_encoding.hpp"

#include <gtest/gtest.h>

namespace relais::common {
namespace {

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("Prénom Étiquettes € 😀"));
  EXPECT_EQ(find_invalid_utf8("ab\xE9"
                              "cd"),
            2u);                                           // Latin-1 é
  EXPECT_EQ(find_invalid_utf8("\xC0\xAF"), 0u);            // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);       // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("ok\xF4\x90\x80\x80"), 2u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xE2\x82"), 0u);            // truncated
}

TEST(Windows1252, TranscodesFrenchText) {
  // "Prénom;Société;Coût €" as French Excel saves it.
  EXPECT_EQ(windows1252_to_utf8("Pr\xE9nom;Soci\xE9t\xE9;Co\xFBt \x80"), "Prénom;Société;Coût €");
  EXPECT_EQ(windows1252_to_utf8("\x9C"
                                "uvre \x92"),
            "œuvre ’");
}

TEST(Decode, KeepsUtf8AndStripsBom) {
  auto d = decode_to_utf8("\xEF\xBB\xBFNom\nÉlodie\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, "utf-8");
  EXPECT_EQ(d->text, "Nom\nÉlodie\n");
}

TEST(Decode, DetectsWindows1252) {
  auto d = decode_to_utf8(
      "Nom;Ville\nL\xE9vy;Orl\xE9"
      "ans\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, "windows-1252");
  EXPECT_EQ(d->text, "Nom;Ville\nLévy;Orléans\n");
}

TEST(Decode, RejectsBinaryAndUndefinedBytesWithOffset) {
  auto nul = decode_to_utf8(std::string("abc\0def", 7));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().details["byte_offset"], 3);
  EXPECT_NE(nul.error().message.find("byte offset 3"), std::string::npos);

  auto undefined = decode_to_utf8("ab\xE9\x81");
  ASSERT_FALSE(undefined.ok());
  EXPECT_EQ(undefined.error().details["byte_offset"], 3);

  EXPECT_FALSE(decode_to_utf8(std::string_view("\xFF\xFEN\0", 4)).ok());
}

}  // namespace
}  // namespace relais::common
