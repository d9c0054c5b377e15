// Header folding and mapping, French value parsing.
#include <gtest/gtest.h>

#include "domain/importing/header_mapping.hpp"
#include "domain/importing/text_fold.hpp"
#include "domain/importing/value_parsing.hpp"

namespace relais::domain::importing {
namespace {

TEST(FoldLabel, IgnoresCaseAccentsAndPunctuation) {
  EXPECT_EQ(fold_label("Prénom"), "prenom");
  EXPECT_EQ(fold_label("  PRÉNOM "), "prenom");
  EXPECT_EQ(fold_label("Date de clôture prévue"), "date de cloture prevue");
  EXPECT_EQ(fold_label("E-mail"), "e mail");
  EXPECT_EQ(fold_label("first_name"), "first name");
  EXPECT_EQ(fold_label("Secteur d’activité"), "secteur d activite");
  EXPECT_EQ(fold_label("Œuvre ÿ ß"), "oeuvre y ss");
}

TEST(ParseAmount, FrenchAndEnglishNotations) {
  EXPECT_EQ(parse_amount_minor("1 234,56"), 123456);
  EXPECT_EQ(parse_amount_minor("1\xE2\x80\xAF"
                               "234,56 €"),
            123456);  // narrow NBSP
  EXPECT_EQ(parse_amount_minor("1\xC2\xA0"
                               "234,5"),
            123450);  // NBSP
  EXPECT_EQ(parse_amount_minor("1234.56"), 123456);
  EXPECT_EQ(parse_amount_minor("1,234.56"), 123456);
  EXPECT_EQ(parse_amount_minor("1.234,56"), 123456);
  EXPECT_EQ(parse_amount_minor("1,234"), 123400);
  EXPECT_EQ(parse_amount_minor("12"), 1200);
  EXPECT_EQ(parse_amount_minor("-5,5"), -550);
  EXPECT_EQ(parse_amount_minor("EUR 10"), 1000);
  EXPECT_FALSE(parse_amount_minor("1,2345"));
  EXPECT_FALSE(parse_amount_minor("abc"));
  EXPECT_FALSE(parse_amount_minor(""));
  EXPECT_FALSE(parse_amount_minor("1,23,4"));
}

TEST(ParseNumber, DecimalCommaOrPointAndGrouping) {
  EXPECT_EQ(parse_number("3,5"), 3.5);
  EXPECT_EQ(parse_number("3.5"), 3.5);
  EXPECT_EQ(parse_number(" 1 234,25 "), 1234.25);
  EXPECT_EQ(parse_number("1.234,5"), 1234.5);
  EXPECT_EQ(parse_number("1,234.5"), 1234.5);
  EXPECT_EQ(parse_number("-2"), -2.0);
  EXPECT_EQ(parse_number("+7"), 7.0);
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("douze"));
  EXPECT_FALSE(parse_number("1.234.567"));
  EXPECT_FALSE(parse_number("1e400"));
}

TEST(ParseDate, DayFirstAndIso) {
  EXPECT_EQ(parse_date("25/11/2026"), "2026-11-25");
  EXPECT_EQ(parse_date("5/1/2026"), "2026-01-05");
  EXPECT_EQ(parse_date("25.11.2026"), "2026-11-25");
  EXPECT_EQ(parse_date("2026-11-25"), "2026-11-25");
  EXPECT_EQ(parse_date("2026-11-25T10:00:00Z"), "2026-11-25");
  EXPECT_EQ(parse_date("29/02/2028"), "2028-02-29");
  EXPECT_FALSE(parse_date("29/02/2027"));
  EXPECT_FALSE(parse_date("11/25/2026"));  // month 25
  EXPECT_FALSE(parse_date("25/11/26"));
  EXPECT_FALSE(parse_date("demain"));
}

TEST(ParseValues, BoolIntegerList) {
  EXPECT_EQ(parse_bool("Oui"), true);
  EXPECT_EQ(parse_bool("FAUX"), false);
  EXPECT_FALSE(parse_bool("peut-être"));
  EXPECT_EQ(parse_integer(" 1 200 "), 1200);
  EXPECT_FALSE(parse_integer("12a"));
  EXPECT_EQ(split_list("vip, salon 2026 | partenaire,,", ",|"),
            (std::vector<std::string>{"vip", "salon 2026", "partenaire"}));
}

TEST(MapColumns, FrenchAndEnglishHeaders) {
  auto m = map_columns(ImportKind::kContacts,
                       {"Prénom", "NOM", "Adresse e-mail", "Téléphone", "Mobile", "Société",
                        "Code postal", "Étiquettes", "Couleur préférée"},
                       {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->fields, (std::vector<std::string>{"first_name", "last_name", "email", "phone",
                                                 "mobile", "company", "postcode", "tags", ""}));
  EXPECT_EQ(m->unmapped, (std::vector<std::string>{"Couleur préférée"}));

  auto deals =
      map_columns(ImportKind::kDeals, {"Nom", "Montant", "Étape", "Date de clôture prévue"}, {});
  ASSERT_TRUE(deals.ok());
  EXPECT_EQ(deals->fields,
            (std::vector<std::string>{"title", "amount", "stage", "expected_close_date"}));

  auto companies = map_columns(ImportKind::kCompanies, {"Raison sociale", "Site web"}, {});
  ASSERT_TRUE(companies.ok());
  EXPECT_EQ(companies->fields, (std::vector<std::string>{"name", "domain"}));
}

TEST(MapColumns, CustomFieldsByKeyOrLabel) {
  std::vector<CustomFieldColumn> custom = {{"secteur", "Secteur d'activité"}, {"nps", "NPS"}};
  auto m =
      map_columns(ImportKind::kContacts, {"Nom", "Secteur d’activité", "nps", "Autre"}, {}, custom);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->fields, (std::vector<std::string>{"last_name", "custom.secteur", "custom.nps", ""}));
  auto over = map_columns(ImportKind::kContacts, {"Nom", "Score client"},
                          {{"Score client", "custom.nps"}}, custom);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->fields[1], "custom.nps");
  EXPECT_FALSE(
      map_columns(ImportKind::kContacts, {"Nom", "X"}, {{"X", "custom.inconnu"}}, custom).ok());
}

TEST(MapColumns, OverridesAndErrors) {
  auto m = map_columns(ImportKind::kContacts, {"Nom", "Couleur", "Prénom"},
                       {{"Couleur", "source"}, {"Nom", "ignore"}});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->fields, (std::vector<std::string>{"", "source", "first_name"}));
  EXPECT_TRUE(m->unmapped.empty());

  EXPECT_FALSE(map_columns(ImportKind::kContacts, {"Nom"}, {{"Absent", "title"}}).ok());
  EXPECT_FALSE(map_columns(ImportKind::kContacts, {"Nom"}, {{"Nom", "shoe_size"}}).ok());

  // Second column for a single-valued field is reported, not silently merged.
  auto twice = map_columns(ImportKind::kContacts, {"Ville", "City"}, {});
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->fields, (std::vector<std::string>{"city", ""}));
  EXPECT_EQ(twice->unmapped, (std::vector<std::string>{"City"}));

  std::string column, field;
  EXPECT_TRUE(parse_mapping_override("Col A=title", column, field));
  EXPECT_EQ(column, "Col A");
  EXPECT_EQ(field, "title");
  EXPECT_TRUE(parse_mapping_override("x:email", column, field));
  EXPECT_FALSE(parse_mapping_override("nothing", column, field));
}

}  // namespace
}  // namespace relais::domain::importing
