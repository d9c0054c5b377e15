// Per-field limits declared in the EntitySchemas (issue 8, item 12): list sizes, text length,
// control characters, IANA time zones. Checked through validate_record, as every write is.
#include <gtest/gtest.h>

#include <string>

#include "domain/records/validation.hpp"
#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

std::string field_error(const EntitySchema& schema, const Json& body, const std::string& field) {
  auto r = validate_record(schema, body, ValidationMode::kUpdate);
  if (r.ok()) return "accepted";
  const auto it = r.error().fields.find(field);
  return it == r.error().fields.end() ? "no error on " + field : it->second;
}

Json strings(std::size_t n, const std::string& prefix) {
  Json out = Json::array();
  for (std::size_t i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

TEST(Limits, EverySchemaDeclaresBoundedListsAndText) {
  for (const EntitySchema* schema : all_schemas()) {
    for (const FieldDef& field : schema->fields) {
      EXPECT_GT(field.max_items, 0u) << schema->name << "." << field.name;
      EXPECT_LE(field.max_items, 200u) << schema->name << "." << field.name;
      EXPECT_LE(field.max_length, 100000u) << schema->name << "." << field.name;
    }
  }
  EXPECT_EQ(contact_schema().field("emails")->max_items, 50u);
  EXPECT_EQ(contact_schema().field("phones")->max_items, 50u);
  EXPECT_EQ(contact_schema().field("tags")->max_items, 100u);
  EXPECT_EQ(user_schema().field("time_zone")->text_format, TextFormat::kTimeZone);
  EXPECT_EQ(note_schema().field("body")->text_format, TextFormat::kMultiline);
}

TEST(Limits, ListsAcceptUpToTheirMaximum) {
  EXPECT_EQ(field_error(contact_schema(), {{"tags", strings(100, "t")}}, "tags"), "accepted");
  EXPECT_EQ(field_error(contact_schema(), {{"tags", strings(101, "t")}}, "tags"),
            "must have at most 100 items");
  EXPECT_EQ(field_error(contact_schema(), {{"emails", strings(51, "e@x.fr")}}, "emails"),
            "must have at most 50 items");
  EXPECT_EQ(field_error(contact_schema(), {{"phones", strings(51, "0")}}, "phones"),
            "must have at most 50 items");
  Json ids = Json::array();
  for (int i = 1; i <= 101; ++i) ids.push_back(i);
  EXPECT_EQ(field_error(deal_schema(), {{"contact_ids", ids}}, "contact_ids"),
            "must have at most 100 items");
  Json stages = Json::array();
  for (int i = 0; i < 51; ++i) stages.push_back(Json{{"id", std::to_string(i)}});
  EXPECT_EQ(field_error(pipeline_schema(), {{"stages", stages}}, "stages"),
            "must have at most 50 items");
}

TEST(Limits, ListItemsAreBoundedInBytes) {
  EXPECT_NE(field_error(contact_schema(), {{"tags", {std::string(101, 't')}}}, "tags"), "accepted");
  EXPECT_EQ(field_error(contact_schema(), {{"tags", {std::string(100, 't')}}}, "tags"), "accepted");
  EXPECT_NE(field_error(contact_schema(), {{"emails", {std::string(255, 'e')}}}, "emails"),
            "accepted");
}

TEST(Limits, ControlCharactersAreRefusedButTabsAndMultilineBreaks) {
  for (const std::string& bad :
       {std::string("a\0b", 3), std::string("\x01"), std::string("\x1b[0m"), std::string("x\x7f"),
        std::string("a\nb"), std::string("a\rb")}) {
    const std::string why = field_error(contact_schema(), {{"first_name", bad}}, "first_name");
    EXPECT_NE(why.find("control characters"), std::string::npos) << why;
    EXPECT_NE(field_error(contact_schema(), {{"tags", {"ok", bad}}}, "tags"), "accepted");
  }
  EXPECT_EQ(field_error(contact_schema(), {{"first_name", "Anne\tMarie"}}, "first_name"),
            "accepted");
  EXPECT_EQ(field_error(note_schema(), {{"body", "ligne 1\r\nligne 2\n\tfin"}}, "body"),
            "accepted");
  EXPECT_EQ(field_error(contact_schema(), {{"address", "1 rue A\nBât. B"}}, "address"), "accepted");
  const std::string why =
      field_error(note_schema(), {{"body", std::string("nul \0 ici", 9)}}, "body");
  EXPECT_NE(why.find("control characters other than tab and line breaks"), std::string::npos);
  // Trailing line breaks are trimmed, not refused.
  auto trimmed = validate_record(contact_schema(), {{"city", "Lyon\n"}}, ValidationMode::kUpdate);
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ((*trimmed)["city"], "Lyon");
}

TEST(Limits, TimeZonesMustBeIanaNames) {
  for (const char* good : {"Europe/Paris", "UTC", "America/Argentina/Buenos_Aires"}) {
    EXPECT_EQ(field_error(user_schema(), {{"time_zone", good}}, "time_zone"), "accepted") << good;
  }
  for (const char* bad : {"Mars/Olympus", "paris", "Europe/Paris; x", "../etc/passwd", "+02:00"}) {
    EXPECT_EQ(field_error(user_schema(), {{"time_zone", bad}}, "time_zone"),
              "must be an IANA time zone name such as Europe/Paris")
        << bad;
  }
}

TEST(Limits, FindControlCharacterReportsTheFirstOffendingByte) {
  EXPECT_EQ(find_control_character("abc", false), std::nullopt);
  EXPECT_EQ(find_control_character("a\tb", false), std::nullopt);
  EXPECT_EQ(find_control_character("ab\ncd", false), 2u);
  EXPECT_EQ(find_control_character("ab\ncd", true), std::nullopt);
  EXPECT_EQ(find_control_character(std::string_view("ab\0", 3), true), 2u);
  EXPECT_EQ(find_control_character("é\x7f", true), 2u);  // UTF-8 bytes >= 0x80 are fine
}

}  // namespace
}  // namespace relais::domain
