#include "domain/records/validation.hpp"

#include <gtest/gtest.h>

#include "domain/records/values.hpp"

namespace relais::domain {
namespace {

TEST(Validation, AppliesDefaultsOnCreate) {
  auto r =
      validate_record(contact_schema(), {{"first_name", "  Élodie "}}, ValidationMode::kCreate);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["first_name"], "Élodie");
  EXPECT_EQ((*r)["lifecycle_stage"], "lead");
  EXPECT_EQ((*r)["score"], 0);
}

TEST(Validation, NoDefaultsOnUpdate) {
  auto r = validate_record(contact_schema(), {{"city", "Lyon"}}, ValidationMode::kUpdate);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Json({{"city", "Lyon"}}));
}

TEST(Validation, CollectsEveryFieldError) {
  Json body = {{"x", 1},
               {"score", 5},
               {"emails", "a@b.c"},
               {"company_id", -3},
               {"lifecycle_stage", "boss"},
               {"first_name", 12}};
  auto r = validate_record(contact_schema(), body, ValidationMode::kCreate);
  ASSERT_FALSE(r.ok());
  const Error& e = r.error();
  EXPECT_EQ(e.code, ErrorCode::kValidationFailed);
  EXPECT_EQ(e.fields.at("x"), "unknown field");
  EXPECT_EQ(e.fields.at("score"), "read-only field");
  EXPECT_EQ(e.fields.at("emails"), "must be a list of strings");
  EXPECT_EQ(e.fields.at("company_id"), "must be the id of a company");
  EXPECT_NE(e.fields.at("lifecycle_stage").find("must be one of"), std::string::npos);
  EXPECT_EQ(e.fields.at("first_name"), "must be a string");
  EXPECT_EQ(e.fields.size(), 6u);
}

TEST(Validation, RequiredOnCreateAndNotClearable) {
  auto r = validate_record(deal_schema(), {{"amount", 100}}, ValidationMode::kCreate);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields.at("title"), "is required");
  EXPECT_EQ(r.error().fields.at("pipeline_id"), "is required");
  auto blank = validate_record(deal_schema(), {{"title", "   "}}, ValidationMode::kUpdate);
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().fields.at("title"), "is required");
  auto cleared = validate_record(deal_schema(), {{"title", nullptr}}, ValidationMode::kUpdate);
  EXPECT_FALSE(cleared.ok());
}

TEST(Validation, MoneyAndCurrency) {
  const FieldDef& amount = *deal_schema().field("amount");
  const FieldDef& currency = *deal_schema().field("currency");
  EXPECT_EQ(*validate_value(amount, 50000), 50000);
  EXPECT_EQ(*validate_value(amount, 500.0), 500);
  EXPECT_FALSE(validate_value(amount, 500.5).ok());
  EXPECT_FALSE(validate_value(amount, "500").ok());
  EXPECT_TRUE(validate_value(currency, "EUR").ok());
  EXPECT_FALSE(validate_value(currency, "eur").ok());
  EXPECT_FALSE(validate_value(currency, "EURO").ok());
  EXPECT_FALSE(validate_value(currency, 978).ok());
}

TEST(Validation, Dates) {
  const FieldDef& d = *deal_schema().field("expected_close_date");
  EXPECT_TRUE(validate_value(d, "2028-02-29").ok());
  EXPECT_FALSE(validate_value(d, "2027-02-29").ok());
  EXPECT_FALSE(validate_value(d, "2026-13-01").ok());
  EXPECT_FALSE(validate_value(d, "2026-1-01").ok());
  EXPECT_FALSE(validate_value(d, "25/11/2026").ok());
  EXPECT_TRUE(validate_value(d, "")->is_null());
}

TEST(Validation, DateTimesNormalisedToUtc) {
  const FieldDef& t = *activity_schema().field("occurred_at");
  EXPECT_EQ(*validate_value(t, "2026-11-25T14:30:00+01:00"), "2026-11-25T13:30:00.000Z");
  EXPECT_EQ(*validate_value(t, "2026-11-25T00:30-02:00"), "2026-11-25T02:30:00.000Z");
  EXPECT_EQ(*validate_value(t, "2026-01-01T00:15:00+0100"), "2025-12-31T23:15:00.000Z");
  EXPECT_EQ(*validate_value(t, "2026-11-25 14:30:00.250Z"), "2026-11-25T14:30:00.250Z");
  EXPECT_EQ(*validate_value(t, "2028-02-29T23:59:59Z"), "2028-02-29T23:59:59.000Z");
  EXPECT_FALSE(validate_value(t, "2026-11-25T14:30:00").ok());  // no zone
  EXPECT_FALSE(validate_value(t, "2026-11-25T24:00:00Z").ok());
  EXPECT_FALSE(validate_value(t, "2026-11-31T10:00:00Z").ok());
  EXPECT_FALSE(validate_value(t, "2026-11-25T10:00:00Zjunk").ok());
}

TEST(Validation, TextLimitsAndUtf8) {
  const FieldDef& city = *contact_schema().field("city");
  EXPECT_FALSE(validate_value(city, std::string(1001, 'a')).ok());
  EXPECT_TRUE(validate_value(city, std::string(1000, 'a')).ok());
  EXPECT_FALSE(validate_value(city, std::string("Lyon\xC3")).ok());
  EXPECT_FALSE(validate_value(city, std::string("\xED\xA0\x80")).ok());  // surrogate
  EXPECT_FALSE(validate_value(city, std::string("\xC0\xAF")).ok());      // overlong
  EXPECT_TRUE(validate_value(city, "Besançon 🚲").ok());
}

TEST(Validation, ListsAndReferences) {
  const FieldDef& tags = *contact_schema().field("tags");
  EXPECT_EQ(*validate_value(tags, Json::array({" vip ", "", "b2b"})), Json::array({"vip", "b2b"}));
  EXPECT_FALSE(validate_value(tags, Json::array({"ok", 3})).ok());
  const FieldDef& contacts = *deal_schema().field("contact_ids");
  EXPECT_EQ(*validate_value(contacts, Json::array({3, 4, 3})), Json::array({3, 4}));
  EXPECT_FALSE(validate_value(contacts, Json::array({0})).ok());
  const FieldDef& stages = *pipeline_schema().field("stages");
  EXPECT_FALSE(validate_value(stages, Json::array({"a"})).ok());
  EXPECT_TRUE(validate_value(stages, Json::array({Json::object()})).ok());
  const FieldDef& flag = *note_schema().field("pinned");
  EXPECT_FALSE(validate_value(flag, "true").ok());
  EXPECT_FALSE(validate_value(*contact_schema().field("custom"), Json::array()).ok());
}

TEST(Validation, RejectsNonObjectBody) {
  auto r = validate_record(contact_schema(), Json::array(), ValidationMode::kCreate);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
}

TEST(Values, EpochFormatting) {
  EXPECT_EQ(format_epoch_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_epoch_ms(1795617000123), "2026-11-25T14:30:00.123Z");
  EXPECT_EQ(format_epoch_ms(-1000), "1969-12-31T23:59:59.000Z");
}

TEST(Values, DateTimesSortAsText) {
  // One form for every stored date-time: text order is time order, within a second too.
  EXPECT_LT(*normalize_datetime("2026-11-25T14:30:00Z"),
            *normalize_datetime("2026-11-25T14:30:00.500Z"));
  EXPECT_LT(*normalize_datetime("2026-11-25T14:30:00.500Z"),
            *normalize_datetime("2026-11-25T15:30:01+01:00"));
  EXPECT_LT(format_epoch_ms(1795617000000), format_epoch_ms(1795617000001));
}

TEST(Values, StorageTimestamps) {
  EXPECT_EQ(format_storage_timestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_storage_timestamp(1795617000123), "2026-11-25T14:30:00.123Z");
  EXPECT_TRUE(is_storage_timestamp("2026-11-25T14:30:00.123Z"));
  EXPECT_TRUE(is_storage_timestamp("2024-02-29T23:59:59.999Z"));
  EXPECT_TRUE(is_storage_timestamp(format_storage_timestamp(now_epoch_ms())));
  for (const char* bad :
       {"", "2026-11-25", "2026-11-25T14:30:00Z", "2026-11-25T14:30:00.12Z",
        "2026-11-25T14:30:00.123+01:00", "2026-11-25 14:30:00.123Z", "2026-11-25T14:30:00.123z",
        "2025-02-29T10:00:00.000Z", "2026-13-01T10:00:00.000Z", "2026-11-25T24:00:00.000Z",
        "2026-11-25T14:60:00.000Z", "2026-11-25T14:30:00.1a3Z", "2026-11-25T14:30:00.123Z "}) {
    EXPECT_FALSE(is_storage_timestamp(bad)) << bad;
  }
}

}  // namespace
}  // namespace relais::domain
