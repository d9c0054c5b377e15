#include "storage/sqlite/list_query.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "common/testing/test_directory.hpp"
#include "storage/open.hpp"

namespace relais::storage::sqlite {
namespace {

TEST(FtsMatchExpression, QuotesEveryTermAsAPrefixQuery) {
  EXPECT_EQ(fts_match_expression("helene dup"), "\"helene\"* AND \"dup\"*");
  EXPECT_EQ(fts_match_expression("  Hélène  "), "\"Hélène\"*");
  EXPECT_EQ(fts_match_expression(""), "");
  EXPECT_EQ(fts_match_expression("\" * ( ) -"), "");
  EXPECT_EQ(fts_match_expression("a OR b)"), "\"a\"* AND \"OR\"* AND \"b)\"*");
  EXPECT_EQ(fts_match_expression("dup\"*"), "\"dup\"*");
  EXPECT_EQ(fts_match_expression("x\"y"), "\"xy\"*");
}

TEST(Cursor, RoundTripsAndRejectsGarbage) {
  const Json values = Json::array({"Dupont", nullptr, 3.5, true, 42});
  const std::string cursor = encode_cursor(values);
  EXPECT_EQ(
      cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto back = decode_cursor(cursor, 5);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), values);
  EXPECT_FALSE(decode_cursor(cursor, 4).ok());
  EXPECT_FALSE(decode_cursor("!!", 1).ok());
  EXPECT_FALSE(decode_cursor(encode_cursor(Json::array({"x"})), 1).ok());  // id not integer
  EXPECT_FALSE(decode_cursor(encode_cursor(Json::array({Json::object(), 1})), 2).ok());
  EXPECT_FALSE(decode_cursor(std::string(5000, 'A'), 1).ok());
}

TEST(ResolveSort, AddsIdTiebreakAndRejectsUnknownFields) {
  auto sort = resolve_sort(domain::contact_schema(), {{"last_name", false}});
  ASSERT_TRUE(sort.ok());
  ASSERT_EQ(sort->keys.size(), 2u);
  EXPECT_EQ(sort->keys[1].field, "id");
  EXPECT_FALSE(sort->keys[1].descending);
  auto none = resolve_sort(domain::contact_schema(), {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->keys[0].descending);
  EXPECT_FALSE(resolve_sort(domain::contact_schema(), {{"x\"; drop", false}}).ok());
  EXPECT_FALSE(resolve_sort(domain::contact_schema(), {{"tags", false}}).ok());
}

TEST(CompileList, SearchByIdWalksTheFullTextIndexWhateverTheOtherConditions) {
  relais::testing::TestDirectory dir("relais-plan");
  const std::string path = (dir / "relais.db").string();
  ASSERT_TRUE(migrate("sqlite:" + path).ok());
  Connection db(path, false);
  const auto& contacts = domain::contact_schema();
  domain::ListQuery query;
  query.text_search = "lyon";
  query.visibility.all = false;  // a sales user: own and team records only
  query.visibility.owner_id = 3;
  query.visibility.team_id = 2;
  auto city = std::make_shared<domain::FilterNode>();
  city->kind = domain::FilterNode::Kind::kCompare;
  city->field = "last_name";  // indexed on the record table
  city->op = domain::CompareOp::kEq;
  city->value = "Martin";
  query.filter = city;
  query.cursor = encode_cursor(Json::array({500}));
  auto sort = resolve_sort(contacts, {});
  ASSERT_TRUE(sort.ok());
  auto sql = compile_list(contacts, query, *sort);
  ASSERT_TRUE(sql.ok()) << sql.error().message;
  auto plan = db.prepare("EXPLAIN QUERY PLAN " + sql->sql);
  plan->bind_all(sql->params);
  std::vector<std::string> steps;
  while (plan->step()) steps.push_back(plan->column_text(3));
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front().rfind("SCAN contacts_fts VIRTUAL TABLE", 0), 0u) << steps.front();
  for (const auto& step : steps) EXPECT_EQ(step.find("TEMP B-TREE"), std::string::npos) << step;
}

TEST(EffectiveLimit, Clamps) {
  EXPECT_EQ(effective_limit(0), 50);
  EXPECT_EQ(effective_limit(10), 10);
  EXPECT_EQ(effective_limit(100000), kMaxPageSize);
}

}  // namespace
}  // namespace relais::storage::sqlite
