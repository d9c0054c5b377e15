#include "domain/auth/password_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace relais::domain {
namespace {

std::string refusal(const std::string& password) {
  auto checked = check_new_password(password, "password");
  if (checked.ok()) return "";
  EXPECT_EQ(checked.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(checked.error().fields.count("password"), 1u) << checked.error().to_json().dump();
  return checked.error().fields.count("password") ? checked.error().fields.at("password") : "?";
}

TEST(PasswordPolicy, AtLeastTwelveCharactersCountedAsCodePoints) {
  EXPECT_NE(refusal("12345678"), "");
  EXPECT_NE(refusal("elevenchars"), "");               // 11
  EXPECT_EQ(refusal("twelve chars"), "");              // 12
  EXPECT_NE(refusal("éééééééééé"), "");                // 10 characters, 20 bytes
  EXPECT_EQ(refusal("éééééééééééé"), "");              // 12 characters
  EXPECT_NE(refusal("日本語のパスワードです"), "");    // 11 characters, 33 bytes
  EXPECT_EQ(refusal("日本語のパスワードですね"), "");  // 12 characters
}

TEST(PasswordPolicy, RunsOfWhiteSpaceCountOnce) {
  EXPECT_NE(refusal("a          b"), "");  // 12 code points, 3 once collapsed
  EXPECT_EQ(refusal("correct horse battery"), "");
}

TEST(PasswordPolicy, OnlyWhiteSpaceIsRefused) {
  EXPECT_NE(refusal("        "), "");
  EXPECT_NE(refusal(std::string(20, ' ')), "");
  EXPECT_NE(refusal("\t\t\t\t\t\t\t\t\t\t\t\t\t"), "");
  EXPECT_NE(refusal("\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000"),
            "");
  EXPECT_NE(refusal(""), "");
}

TEST(PasswordPolicy, AtMost128Characters) {
  EXPECT_EQ(refusal(std::string(128, 'k')), "");
  EXPECT_NE(refusal(std::string(129, 'k')), "");
}

TEST(PasswordPolicy, CommonAndLeakedPasswordsAreRefusedIgnoringCase) {
  EXPECT_TRUE(is_common_password("password1234"));
  EXPECT_TRUE(is_common_password("PassWord1234"));
  EXPECT_TRUE(is_common_password("qwerty123456"));
  EXPECT_FALSE(is_common_password("relais-demo-2026"));
  EXPECT_NE(refusal("Password1234").find("common"), std::string::npos);
  EXPECT_NE(refusal("1qaz2wsx3edc"), "");
  // The shipped list is not empty and its comments are not passwords.
  EXPECT_FALSE(common_passwords_text().empty());
  EXPECT_FALSE(
      is_common_password("# common and breached passwords of 12 characters or more, "
                         "lower case, one a line."));
}

TEST(PasswordPolicy, InvalidUtf8IsRefused) { EXPECT_NE(refusal("abcdefghijk\xff\xfe"), ""); }

}  // namespace
}  // namespace relais::domain
