#include "domain/contacts/contact_fields.hpp"

#include <gtest/gtest.h>

#include "domain/companies/company_domain.hpp"

namespace relais::domain {
namespace {

TEST(NormalizeEmail, TrimsAndLowerCases) {
  EXPECT_EQ(normalize_email("  Jean.Dupont@Example.FR "), "jean.dupont@example.fr");
  EXPECT_EQ(normalize_email("a+tag@sub.example.co.uk"), "a+tag@sub.example.co.uk");
  EXPECT_EQ(normalize_email("élise@exemple.fr"), "élise@exemple.fr");
}

TEST(NormalizeEmail, RejectsMalformed) {
  for (const char* bad :
       {"", "plainaddress", "@example.fr", "jean@", "jean@example", "jean@@example.fr",
        "jean dupont@example.fr", ".jean@example.fr", "jean..d@example.fr", "jean@-example.fr",
        "jean@example..fr", "jean@exa_mple.fr", "a@b@c.fr"}) {
    EXPECT_FALSE(normalize_email(bad).has_value()) << bad;
  }
}

TEST(NormalizePhone, FrenchNumbersBecomeE164) {
  for (const char* typed : {"06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78",
                            "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", " 06-12-34-56-78 "}) {
    EXPECT_EQ(normalize_phone(typed), "+33612345678") << typed;
  }
  EXPECT_EQ(normalize_phone("01 23 45 67 89"), "+33123456789");
}

TEST(NormalizePhone, InternationalKeepsDigits) {
  EXPECT_EQ(normalize_phone("+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(normalize_phone("+1 (415) 555-2671"), "+14155552671");
  EXPECT_EQ(normalize_phone("0049 30 123456"), "+4930123456");
}

TEST(NormalizePhone, OtherwiseKeptAsTyped) {
  EXPECT_EQ(normalize_phone("  3615 ULLA "), "3615 ULLA");
  EXPECT_EQ(normalize_phone("112"), "112");
  EXPECT_EQ(normalize_phone("01 23 45 67 89 poste 12"), "01 23 45 67 89 poste 12");
  EXPECT_EQ(normalize_phone("   "), "");
}

TEST(NormalizeCompanyDomain, StripsSchemeWwwAndPath) {
  EXPECT_EQ(normalize_company_domain("https://www.Example.fr/contact?x=1"), "example.fr");
  EXPECT_EQ(normalize_company_domain("http://shop.example.com:8080"), "shop.example.com");
  EXPECT_EQ(normalize_company_domain("WWW.ACME.IO."), "acme.io");
  EXPECT_EQ(normalize_company_domain("acme.io#about"), "acme.io");
  EXPECT_EQ(normalize_company_domain("  "), "");
}

TEST(NormalizeCompanyDomain, RejectsNonHosts) {
  for (const char* bad : {"localhost", "not a domain.fr", "exa_mple.fr", "-acme.io", "https://"}) {
    EXPECT_FALSE(normalize_company_domain(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace relais::domain
