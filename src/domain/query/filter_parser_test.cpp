#include "domain/query/filter_parser.hpp"

#include <gtest/gtest.h>

namespace relais::domain {
namespace {

FilterPtr parse_ok(std::string_view text, const EntitySchema& schema = contact_schema()) {
  auto r = parse_filter(text, schema);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : nullptr;
}

Error parse_err(std::string_view text, const EntitySchema& schema = contact_schema()) {
  auto r = parse_filter(text, schema);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? Error{} : r.error();
}

TEST(FilterParser, EmptyIsNull) {
  EXPECT_EQ(parse_ok(""), nullptr);
  EXPECT_EQ(parse_ok("   "), nullptr);
}

TEST(FilterParser, PrecedenceAndGrouping) {
  auto f = parse_ok(R"(city = "Lyon" and (lifecycle_stage in ("lead","mql") or score >= 50))");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->kind, FilterNode::Kind::kAnd);
  ASSERT_EQ(f->children.size(), 2u);
  EXPECT_EQ(f->children[0]->field, "city");
  EXPECT_EQ(f->children[0]->value, "Lyon");
  const auto& orn = f->children[1];
  ASSERT_EQ(orn->kind, FilterNode::Kind::kOr);
  EXPECT_EQ(orn->children[0]->op, CompareOp::kIn);
  EXPECT_EQ(orn->children[0]->value, Json::array({"lead", "mql"}));
  EXPECT_EQ(orn->children[1]->op, CompareOp::kGe);
  EXPECT_EQ(orn->children[1]->value, 50);

  auto g = parse_ok("city = 'A' or city = 'B' and city = 'C'");
  ASSERT_EQ(g->kind, FilterNode::Kind::kOr);  // and binds tighter
  EXPECT_EQ(g->children[1]->kind, FilterNode::Kind::kAnd);
}

TEST(FilterParser, KeywordsAreCaseInsensitive) {
  auto f = parse_ok("NOT tags CONTAINS \"vip\" AND city IS NOT EMPTY");
  ASSERT_EQ(f->kind, FilterNode::Kind::kAnd);
  EXPECT_EQ(f->children[0]->kind, FilterNode::Kind::kNot);
  EXPECT_EQ(f->children[0]->children[0]->op, CompareOp::kContains);
  EXPECT_EQ(f->children[1]->op, CompareOp::kIsNotEmpty);
}

TEST(FilterParser, MoneyWithCurrencyBecomesMinorUnits) {
  auto f = parse_ok("amount > 500 EUR and expected_close_date < 2026-12-31", deal_schema());
  ASSERT_EQ(f->kind, FilterNode::Kind::kAnd);
  const auto& money = f->children[0];  // amount > 50000 and currency = EUR
  ASSERT_EQ(money->kind, FilterNode::Kind::kAnd);
  EXPECT_EQ(money->children[0]->value, 50000);
  EXPECT_EQ(money->children[1]->field, "currency");
  EXPECT_EQ(money->children[1]->value, "EUR");
  EXPECT_EQ(f->children[1]->value, "2026-12-31");
  EXPECT_EQ(parse_ok("amount >= 500.50 EUR", deal_schema())->children[0]->value, 50050);
  EXPECT_EQ(parse_ok("amount = 1200", deal_schema())->value, 1200);  // bare = minor units
  EXPECT_EQ(parse_ok("amount = 1500 JPY", deal_schema())->children[0]->value, 1500);
  EXPECT_FALSE(parse_filter("amount > 5.123 EUR", deal_schema()).ok());
  EXPECT_FALSE(parse_filter("amount > 5.5", deal_schema()).ok());
}

TEST(FilterParser, TypedValues) {
  EXPECT_EQ(parse_ok("created_at >= 2026-01-01")->value, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(parse_ok("updated_at < \"2026-01-01T10:00:00+01:00\"")->value,
            "2026-01-01T09:00:00.000Z");
  EXPECT_EQ(parse_ok("company_id = 7")->value, 7);
  EXPECT_EQ(parse_ok("company_id = null")->op, CompareOp::kIsEmpty);
  EXPECT_EQ(parse_ok("city != null")->op, CompareOp::kIsNotEmpty);
  EXPECT_EQ(parse_ok("pinned = true", note_schema())->value, true);
  EXPECT_EQ(parse_ok("contact_ids contains 3", deal_schema())->value, 3);
  EXPECT_EQ(parse_ok("city = 'l\\'Isle'")->value, "l'Isle");
}

TEST(FilterParser, TypeErrorsAreValidationErrors) {
  for (const char* bad : {"score = \"high\"", "score = 1.5", "lifecycle_stage = \"boss\"",
                          "created_at > 2026-02-30", "nope = 1", "custom = 1", "tags = \"vip\"",
                          "lifecycle_stage > \"lead\"", "score contains 1"}) {
    Error e = parse_err(bad);
    EXPECT_EQ(e.code, ErrorCode::kValidationFailed) << bad << ": " << e.message;
    EXPECT_TRUE(e.fields.count("filter")) << bad;
  }
  Error unknown = parse_err("city = 'x' and nope = 1");
  EXPECT_EQ(unknown.details["position"], 15);
  EXPECT_NE(unknown.message.find("nope"), std::string::npos);
}

TEST(FilterParser, SyntaxErrorsCarryPosition) {
  struct Case {
    const char* text;
    int position;
    const char* expected;
  };
  const Case cases[] = {
      {"city =", 6, "expected a value"},
      {"city \"Lyon\"", 5, "expected an operator"},
      {"(city = 'a'", 11, "expected ')'"},
      {"city = 'Lyon", 7, "unterminated string"},
      {"city = 'a' city = 'b'", 11, "expected 'and', 'or'"},
      {"and city = 'a'", 0, "expected a field name"},
      {"city is full", 8, "expected 'empty'"},
      {"city in 'a'", 8, "expected '('"},
      {"city in ('a' 'b')", 13, "expected ',' or ')'"},
      {"city = 'a' # x", 11, "unexpected character"},
      {"score ! 3", 6, "expected '!='"},
  };
  for (const auto& c : cases) {
    Error e = parse_err(c.text);
    EXPECT_EQ(e.code, ErrorCode::kBadRequest) << c.text;
    EXPECT_EQ(e.details.value("position", -1), c.position) << c.text << ": " << e.message;
    EXPECT_NE(e.message.find(c.expected), std::string::npos) << c.text << ": " << e.message;
  }
}

TEST(FilterParser, DeepNestingIsRefused) {
  std::string deep(200, '(');
  deep += "city = 'a'" + std::string(200, ')');
  EXPECT_EQ(parse_err(deep).code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace relais::domain
