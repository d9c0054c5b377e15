// The compiled list, count and timeline SQL run on a real PostgreSQL database: a fresh one per
// test on the cluster named by RELAIS_TEST_PG_URL (a base URL as scripts/pg-cluster prints
// it), migrated, filled with rows by plain INSERTs. Without the variable every test fails.
#include "storage/postgres/pg_list_query.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>

#include "storage/common/filter_values.hpp"
#include "storage/postgres/pg_migrations.hpp"
#include "storage/postgres/pg_record_codec.hpp"
#include "storage/postgres/pg_timeline.hpp"

namespace relais::storage::postgres {
namespace {

using domain::CompareOp;
using domain::EntitySchema;
using domain::FilterNode;
using domain::FilterPtr;
using domain::ListQuery;
using V = std::vector<std::int64_t>;

FilterPtr cmp(std::string field, CompareOp op, Json value = nullptr) {
  auto n = std::make_shared<FilterNode>();
  n->kind = FilterNode::Kind::kCompare;
  n->field = std::move(field);
  n->op = op;
  n->value = std::move(value);
  return n;
}
FilterPtr group(FilterNode::Kind kind, std::vector<FilterPtr> children) {
  auto n = std::make_shared<FilterNode>();
  n->kind = kind;
  n->children = std::move(children);
  return n;
}

// `base` with its database name (after the third slash, before '?') replaced by `name`.
std::string with_database(const std::string& base, const std::string& name) {
  const auto scheme = base.find("://");
  const auto slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return base + "/" + name;
  const auto query = base.find('?', slash);
  return base.substr(0, slash + 1) + name +
         (query == std::string::npos ? std::string() : base.substr(query));
}

class PgListQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("RELAIS_TEST_PG_URL");
    ASSERT_TRUE(base != nullptr && *base != '\0')
        << "RELAIS_TEST_PG_URL is not set: start a cluster with `scripts/pg-cluster start DIR` "
           "and export the base URL it prints";
    static int counter = 0;
    name_ = "relais_lq_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    admin_ = std::make_unique<PgConnection>(with_database(base, "postgres"));
    admin_->exec("DROP DATABASE IF EXISTS " + name_);
    admin_->exec("CREATE DATABASE " + name_);
    db_ = std::make_unique<PgConnection>(with_database(base, name_));
    auto migrated = migrate_database(*db_, true);
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  }
  void TearDown() override {
    db_.reset();
    if (admin_) admin_->exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }

  // INSERTs `values` (timestamps filled in unless given); returns the new id.
  std::int64_t insert(const EntitySchema& schema, Json values) {
    static int clock = 0;
    const std::string stamp =
        fmt::format("2026-11-25T10:00:{:02}.{:03}Z", clock / 1000 % 60, clock % 1000);
    ++clock;
    if (!values.contains("created_at")) values["created_at"] = stamp;
    if (!values.contains("updated_at")) values["updated_at"] = stamp;
    std::string cols;
    std::string marks;
    std::vector<SqlValue> params;
    for (const auto& [name, value] : values.items()) {
      const auto* f = schema.field(name);
      EXPECT_NE(f, nullptr) << name;
      auto encoded = encode_field(*f, value);
      EXPECT_TRUE(encoded.ok()) << name;
      params.push_back(std::move(encoded).value());
      cols += (cols.empty() ? "" : ", ") + quote_ident(name);
      marks += (marks.empty() ? "" : ", ") + placeholder(params);
    }
    const auto r = db_->query(fmt::format("INSERT INTO {} ({}) VALUES ({}) RETURNING id",
                                          quote_ident(schema.plural), cols, marks),
                              params);
    return r.int64(0, 0);
  }

  // One page, as the store lists it: limit + 1 rows, the last one only telling there is more.
  Result<domain::Page> page(const EntitySchema& schema, const ListQuery& query) {
    RELAIS_ASSIGN_OR_RETURN(ResolvedSort sort, resolve_sort(schema, query.sort));
    RELAIS_ASSIGN_OR_RETURN(PgSql sql, compile_list(schema, query, sort));
    const auto rows = db_->query(sql.sql, sql.params);
    const auto limit = static_cast<std::size_t>(effective_limit(query.limit));
    domain::Page out;
    for (int row = 0; row < rows.rows(); ++row) {
      if (out.items.size() == limit) {
        out.next_cursor = cursor_for(sort, out.items.back());
        break;
      }
      out.items.push_back(decode_record(schema, rows, row));
    }
    return out;
  }

  // Every id the query lists, page after page.
  V walk(const EntitySchema& schema, ListQuery query) {
    V ids;
    for (int pages = 0; pages < 100; ++pages) {
      auto p = page(schema, query);
      EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
      if (!p.ok()) return {-1};
      for (const auto& item : p->items) ids.push_back(item["id"].get<std::int64_t>());
      if (!p->next_cursor) return ids;
      query.cursor = *p->next_cursor;
    }
    ADD_FAILURE() << "no last page";
    return ids;
  }

  V filtered(const EntitySchema& schema, FilterPtr filter) {
    ListQuery q;
    q.filter = std::move(filter);
    q.sort = {{"id", false}};
    return walk(schema, q);
  }

  Result<std::int64_t> count(const EntitySchema& schema, const ListQuery& query) {
    RELAIS_ASSIGN_OR_RETURN(PgSql sql, compile_count(schema, query));
    return db_->query(sql.sql, sql.params).int64(0, 0);
  }

  std::string name_;
  std::unique_ptr<PgConnection> admin_;
  std::unique_ptr<PgConnection> db_;
};

TEST_F(PgListQueryTest, EveryFilterOperator) {
  const auto& contacts = domain::contact_schema();
  const auto company = insert(domain::company_schema(), {{"name", "Acme"}});
  const auto lyon = insert(contacts, {{"last_name", "Martin"},
                                      {"city", "Lyon"},
                                      {"score", 10},
                                      {"tags", {"VIP", "client"}},
                                      {"company_id", company},
                                      {"lifecycle_stage", "lead"}});
  const auto paris = insert(contacts, {{"last_name", "Durand"},
                                       {"city", "Paris"},
                                       {"score", 50},
                                       {"tags", Json::array()},
                                       {"custom", Json::object()},
                                       {"lifecycle_stage", "customer"}});
  const auto none = insert(contacts, {{"last_name", "100% Bio_x\\"},
                                      {"city", ""},
                                      {"score", 80},
                                      {"custom", {{"k", 1}}},
                                      {"lifecycle_stage", "mql"}});
  const auto odd = insert(contacts, {{"last_name", "Éric ÉTÉ"}, {"city", "[]"}, {"score", 0}});
  EXPECT_EQ(filtered(contacts, cmp("city", CompareOp::kEq, "Lyon")), V{lyon});
  EXPECT_EQ(filtered(contacts, cmp("city", CompareOp::kNe, "Lyon")), (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts, cmp("company_id", CompareOp::kEq, nullptr)), (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts, cmp("company_id", CompareOp::kNe, nullptr)), V{lyon});
  EXPECT_EQ(filtered(contacts, cmp("company_id", CompareOp::kNe, company)), (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts, cmp("score", CompareOp::kLt, 50)), (V{lyon, odd}));
  EXPECT_EQ(filtered(contacts, cmp("score", CompareOp::kLe, 50)), (V{lyon, paris, odd}));
  EXPECT_EQ(filtered(contacts, cmp("score", CompareOp::kGt, 50)), V{none});
  EXPECT_EQ(filtered(contacts, cmp("score", CompareOp::kGe, 50.0)), (V{paris, none}));
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kGt, "Martin")), (V{odd}));
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kLt, "D")), (V{none}));
  // contains: ASCII letters fold, accented ones do not (as SQLite's LIKE); wildcards literal.
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "MART")), V{lyon});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "été")), V{});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "ÉtÉ")), V{odd});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "100%")), V{none});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "%")), V{none});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "o_x")), V{none});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "x\\")), V{none});
  EXPECT_EQ(filtered(contacts, cmp("last_name", CompareOp::kContains, "a_t")), V{});
  // List elements: text lists case-insensitively, whole elements only.
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kContains, "vip")), V{lyon});
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kEq, "CLIENT")), V{lyon});
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kNe, "vip")), (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kContains, "vi")), V{});
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kIn, Json::array({"x", "Client"}))), V{lyon});
  EXPECT_EQ(
      filtered(contacts, cmp("lifecycle_stage", CompareOp::kIn, Json::array({"lead", "mql"}))),
      (V{lyon, none}));
  EXPECT_EQ(filtered(contacts, cmp("lifecycle_stage", CompareOp::kIn, Json::array())), V{});
  EXPECT_EQ(filtered(contacts, cmp("score", CompareOp::kIn, Json::array({0, 80}))), (V{none, odd}));
  // is empty: NULL, '' for text, [] and {} for JSON ("[]" is a text like any other).
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kIsEmpty)), (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts, cmp("tags", CompareOp::kIsNotEmpty)), V{lyon});
  EXPECT_EQ(filtered(contacts, cmp("custom", CompareOp::kIsEmpty)), (V{lyon, paris, odd}));
  EXPECT_EQ(filtered(contacts, cmp("city", CompareOp::kIsEmpty)), V{none});
  EXPECT_EQ(filtered(contacts, cmp("city", CompareOp::kIsNotEmpty)), (V{lyon, paris, odd}));
  EXPECT_EQ(filtered(contacts, cmp("company_id", CompareOp::kIsEmpty)), (V{paris, none, odd}));
  // not / and / or, never NULL.
  EXPECT_EQ(
      filtered(contacts, group(FilterNode::Kind::kNot, {cmp("city", CompareOp::kEq, "Lyon")})),
      (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts,
                     group(FilterNode::Kind::kNot, {cmp("company_id", CompareOp::kEq, company)})),
            (V{paris, none, odd}));
  EXPECT_EQ(filtered(contacts,
                     group(FilterNode::Kind::kNot, {cmp("last_name", CompareOp::kContains, "ur")})),
            (V{lyon, none, odd}));
  EXPECT_EQ(filtered(contacts,
                     group(FilterNode::Kind::kOr,
                           {cmp("city", CompareOp::kEq, "Paris"),
                            group(FilterNode::Kind::kAnd, {cmp("score", CompareOp::kGe, 10),
                                                           cmp("score", CompareOp::kLt, 20)})})),
            (V{lyon, paris}));

  // Reference lists and booleans.
  const auto& deals = domain::deal_schema();
  const auto pipeline =
      insert(domain::pipeline_schema(), {{"name", "P"}, {"stages", Json::array()}});
  const auto two =
      insert(deals, {{"title", "Two"}, {"pipeline_id", pipeline}, {"contact_ids", {lyon, paris}}});
  const auto one =
      insert(deals, {{"title", "One"}, {"pipeline_id", pipeline}, {"contact_ids", {none}}});
  EXPECT_EQ(filtered(deals, cmp("contact_ids", CompareOp::kContains, paris)), V{two});
  EXPECT_EQ(filtered(deals, cmp("contact_ids", CompareOp::kIn, Json::array({none, 999}))), V{one});
  EXPECT_EQ(filtered(deals, cmp("contact_ids", CompareOp::kNe, paris)), V{one});
  const auto& notes = domain::note_schema();
  const auto pinned = insert(notes, {{"body", "a"}, {"pinned", true}});
  const auto plain = insert(notes, {{"body", "b"}, {"pinned", false}});
  EXPECT_EQ(filtered(notes, cmp("pinned", CompareOp::kEq, true)), V{pinned});
  EXPECT_EQ(filtered(notes, cmp("pinned", CompareOp::kEq, 0)), V{plain});
  EXPECT_EQ(filtered(notes, cmp("pinned", CompareOp::kIn, Json::array({false}))), V{plain});
  EXPECT_EQ(filtered(notes, cmp("pinned", CompareOp::kGt, false)), V{pinned});

  ListQuery counted;
  counted.filter = cmp("score", CompareOp::kGe, 50);
  auto n = count(contacts, counted);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
}

TEST_F(PgListQueryTest, ValuesThatDoNotFitTheirFieldAreBadRequestsNamingIt) {
  const auto& contacts = domain::contact_schema();
  insert(contacts, {{"last_name", "Martin"}, {"score", 5}});
  struct Case {
    FilterPtr filter;
    std::string message;
  };
  const std::vector<Case> cases = {
      {cmp("score", CompareOp::kEq, "abc"), "'score' expects an integer"},
      {cmp("score", CompareOp::kLt, 5.5), "'score' expects an integer"},
      {cmp("score", CompareOp::kIn, Json::array({1, "x"})), "'score' expects an integer"},
      {cmp("owner_id", CompareOp::kEq, true), "'owner_id' expects an integer"},
      {cmp("last_name", CompareOp::kEq, 5.5), "'last_name' expects a text value"},
      {cmp("last_name", CompareOp::kEq, Json::array()), "'last_name' expects a text value"},
      {cmp("score", CompareOp::kContains, "5"),
       "'contains' needs a text or list field, 'score' is integer"},
      {cmp("custom", CompareOp::kContains, "k"), "'custom' can only be tested with is empty"},
      {cmp("custom", CompareOp::kIn, Json::array({"k"})),
       "'custom' can only be tested with is empty"},
      {cmp("tags", CompareOp::kContains, 5), "tags holds text values"},
      {cmp("tags", CompareOp::kLt, "a"), "'tags' is a list: use contains, in or is empty"},
      {cmp("score", CompareOp::kLt, nullptr), "cannot order-compare with null"},
      {cmp("nope", CompareOp::kEq, 1), "cannot filter on 'nope'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    ListQuery q;
    q.filter = c.filter;
    auto r = page(contacts, q);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(r.error().message, c.message);
  }
  const auto& notes = domain::note_schema();
  ListQuery b;
  b.filter = cmp("pinned", CompareOp::kEq, 2);
  auto r = page(notes, b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "'pinned' expects true or false");
  // Integers fit text fields as their decimal text; integral numbers fit integers.
  ListQuery ok;
  ok.filter = cmp("last_name", CompareOp::kEq, 5);
  EXPECT_TRUE(page(contacts, ok).ok());
  ok.filter = cmp("score", CompareOp::kEq, 5.0);
  ASSERT_TRUE(page(contacts, ok).ok());
  EXPECT_EQ(page(contacts, ok)->items.size(), 1u);
  // A cursor whose values do not fit the sort keys.
  for (const Json& values :
       {Json::array({"abc", 1}), Json::array({5.5, 1}), Json::array({true, 1})}) {
    ListQuery c;
    c.sort = {{"score", false}};
    c.cursor = encode_cursor(values);
    auto p = page(contacts, c);
    ASSERT_FALSE(p.ok()) << values;
    EXPECT_EQ(p.error().message, "invalid cursor");
  }
}

TEST_F(PgListQueryTest, NullsSortFirstAscendingLastDescendingAndCursorsWalkTiesAndNulls) {
  const auto& contacts = domain::contact_schema();
  const std::vector<Json> names = {"Martin", nullptr,  "Bernard", "Martin", nullptr,
                                   "Dubois", "Martin", "bernard", nullptr,  "Petit"};
  std::vector<std::pair<Json, std::int64_t>> rows;
  for (int round = 0; round < 3; ++round) {
    for (const auto& name : names) rows.emplace_back(name, insert(contacts, {{"last_name", name}}));
  }
  for (const bool descending : {false, true}) {
    SCOPED_TRACE(descending ? "desc" : "asc");
    auto expected = rows;
    std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
      auto key = [](const auto& r) {
        return std::make_tuple(!r.first.is_null(),
                               r.first.is_null() ? "" : r.first.template get<std::string>(),
                               r.second);
      };
      return descending ? key(b) < key(a) : key(a) < key(b);
    });
    V want;
    for (const auto& r : expected) want.push_back(r.second);
    for (const int limit : {1, 2, 4, 7, 30, 31}) {
      SCOPED_TRACE(limit);
      ListQuery q;
      q.sort = {{"last_name", descending}};
      q.limit = limit;
      EXPECT_EQ(walk(contacts, q), want);
    }
  }
  // Two keys in opposite directions, the second with NULLs and ties.
  std::vector<std::tuple<std::int64_t, Json, std::int64_t>> two;
  for (int i = 0; i < 24; ++i) {
    const Json city = i % 3 == 0 ? Json(nullptr) : Json(i % 2 == 0 ? "Lyon" : "Paris");
    const auto id = insert(contacts, {{"first_name", "Two"}, {"score", i % 4}, {"city", city}});
    two.emplace_back(i % 4, city, id);
  }
  std::sort(two.begin(), two.end(), [](const auto& a, const auto& b) {
    auto key = [](const auto& r) {
      const Json& city = std::get<1>(r);
      // score descending, then city ascending with NULL first, then id ascending.
      return std::make_tuple(-std::get<0>(r), !city.is_null(),
                             city.is_null() ? "" : city.template get<std::string>(),
                             std::get<2>(r));
    };
    return key(a) < key(b);
  });
  V want;
  for (const auto& r : two) want.push_back(std::get<2>(r));
  ListQuery q;
  q.filter = cmp("first_name", CompareOp::kEq, "Two");
  q.sort = {{"score", true}, {"city", false}, {"id", false}};
  q.limit = 5;
  EXPECT_EQ(walk(contacts, q), want);
  // Default order: newest first, paged by id.
  ListQuery newest;
  newest.limit = 3;
  auto first = page(contacts, newest);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 3u);
  const auto newest_ids = db_->query("SELECT id FROM contacts ORDER BY id DESC LIMIT 3");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(first->items[i]["id"], newest_ids.int64(i, 0));
}

TEST_F(PgListQueryTest, SearchIsPrefixAccentAndCaseInsensitiveAndNeedsEveryTerm) {
  const auto& contacts = domain::contact_schema();
  const auto helene = insert(contacts, {{"first_name", "Hélène"},
                                        {"last_name", "Dupont"},
                                        {"emails", {"helene@acme.fr"}},
                                        {"city", "Besançon"}});
  const auto marc = insert(contacts, {{"first_name", "Marc"}, {"last_name", "Durand"}});
  const auto jp = insert(contacts, {{"first_name", "Jean-Pierre"}, {"last_name", "Leroy"}});
  const auto split = insert(contacts, {{"first_name", "Jean"}, {"last_name", "Pierre"}});
  auto search = [&](const std::string& text) {
    ListQuery q;
    q.text_search = text;
    return walk(contacts, q);
  };
  EXPECT_EQ(search("helene"), V{helene});
  EXPECT_EQ(search("HÉLÈNE"), V{helene});
  EXPECT_EQ(search("dup"), V{helene});
  EXPECT_EQ(search("besancon"), V{helene});
  EXPECT_EQ(search("acme"), V{helene});
  EXPECT_EQ(search("helene@acme.fr"), V{helene});
  EXPECT_EQ(search("hel dup"), V{helene});
  EXPECT_EQ(search("hel durand"), V{});
  EXPECT_EQ(search("du"), (V{marc, helene}));  // newest first
  // A term of several words is a phrase within one field, as in FTS5.
  EXPECT_EQ(search("jean-pierre"), V{jp});
  EXPECT_EQ(search("jean pierre"), (V{split, jp}));
  EXPECT_EQ(search("jean-pie"), V{jp});
  EXPECT_EQ(search("x\"y"), V{});
  for (const char* hostile :
       {"\"", "a OR b)", "*", "NEAR(", "dup\"*", "'; DROP TABLE contacts; --", "^", "-",
        "col:value", "((", "AND", "\"\"\"", "a & !b | c:*", "«»", "\\", "<->", "é€"}) {
    SCOPED_TRACE(hostile);
    ListQuery q;
    q.text_search = hostile;
    auto p = page(contacts, q);
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  }
  EXPECT_EQ(search("dup\" OR \"marc"), V{});
  // Search with a filter, visibility and a count.
  ListQuery q;
  q.text_search = "du";
  q.filter = cmp("city", CompareOp::kEq, "Besançon");
  EXPECT_EQ(walk(contacts, q), V{helene});
  auto n = count(contacts, q);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  // A schema without searchable fields.
  ListQuery p;
  p.text_search = "x";
  auto r = page(domain::pipeline_schema(), p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "pipelines cannot be searched");
  p.text_search = " \" * ";  // no term: no search at all
  EXPECT_TRUE(page(domain::pipeline_schema(), p).ok());
}

// A search is `search_vector @@ … ORDER BY id DESC LIMIT n`: the planner looks a rare term up
// in the GIN index (then sorts the few matches) and walks the primary key backwards for a
// frequent one (the page fills within a few rows), by the tsvector statistics. On a table
// this small a walk is always cheap, so the test takes the walk away and checks that the
// condition is one the GIN index answers (relais_search_query folds to a constant).
TEST_F(PgListQueryTest, SearchPagesNewestFirstAndTheGinIndexAnswersIt) {
  const auto& contacts = domain::contact_schema();
  db_->exec(
      "INSERT INTO contacts (first_name, last_name, created_at, updated_at) "
      "SELECT 'First' || (i % 150), CASE WHEN i % 500 = 0 THEN 'Lyonnais' ELSE 'Name' || "
      "(i % 100) END, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' "
      "FROM generate_series(1, 5000) i");
  db_->exec("ANALYZE contacts");
  ListQuery q;
  q.text_search = "lyon";
  q.limit = 3;
  V ids = walk(contacts, q);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));
  auto sort = resolve_sort(contacts, {});
  ASSERT_TRUE(sort.ok());
  q.cursor = encode_cursor(Json::array({ids[4]}));
  db_->exec("SET enable_indexscan = off; SET enable_seqscan = off");
  auto sql = compile_list(contacts, q, *sort);
  ASSERT_TRUE(sql.ok());
  const auto plan = db_->query("EXPLAIN " + sql->sql, sql->params);
  std::string text;
  for (int row = 0; row < plan.rows(); ++row) text += std::string(plan.text(row, 0)) + "\n";
  EXPECT_NE(text.find("Bitmap Index Scan on contacts_search"), std::string::npos) << text;
}

TEST_F(PgListQueryTest, VisibilityRestrictsOwnedRecords) {
  const auto team = insert(domain::team_schema(), {{"name", "Nord"}});
  const auto alice = insert(domain::user_schema(), {{"email", "a@x.fr"}, {"role", "sales"}});
  const auto bob = insert(domain::user_schema(), {{"email", "b@x.fr"}, {"role", "sales"}});
  const auto& contacts = domain::contact_schema();
  const auto mine = insert(contacts, {{"owner_id", alice}});
  const auto teams = insert(contacts, {{"owner_id", bob}, {"team_id", team}});
  insert(contacts, {{"owner_id", bob}});
  const auto unowned = insert(contacts, Json::object());
  auto visible = [&](domain::Visibility v) {
    ListQuery q;
    q.visibility = v;
    q.sort = {{"id", false}};
    return walk(contacts, q);
  };
  EXPECT_EQ(visible({}).size(), 4u);
  EXPECT_EQ(visible({false, alice, std::nullopt, false}), V{mine});
  EXPECT_EQ(visible({false, alice, team, true}), (V{mine, teams, unowned}));
  EXPECT_EQ(visible({false, std::nullopt, std::nullopt, false}), V{});
  ListQuery q;
  q.visibility = {false, std::nullopt, std::nullopt, false};
  EXPECT_EQ(walk(domain::team_schema(), q).size(), 1u);  // unowned schemas ignore it
}

// Sorting and cursors leave out NULL handling for these columns, so they must be NOT NULL.
TEST_F(PgListQueryTest, ColumnsTreatedAsNeverNullAreNotNull) {
  for (const auto* schema : domain::all_schemas()) {
    for (const auto& f : schema->fields) {
      if (!never_null(f)) continue;
      const auto r = db_->query(
          "SELECT is_nullable FROM information_schema.columns WHERE table_name = $1 AND "
          "column_name = $2",
          params(schema->plural, f.name));
      ASSERT_EQ(r.rows(), 1) << schema->plural << "." << f.name;
      EXPECT_EQ(r.text(0, 0), "NO") << schema->plural << "." << f.name;
    }
  }
}

TEST_F(PgListQueryTest, TimelineIsNewestFirstPagedAndFollowsChildVisibility) {
  const auto team = insert(domain::team_schema(), {{"name", "Nord"}});
  const auto alice = insert(domain::user_schema(), {{"email", "a@x.fr"}, {"role", "sales"}});
  const auto contact = insert(domain::contact_schema(), {{"first_name", "T"}});
  db_->query(
      "INSERT INTO audit_log (at, actor_user_id, entity, record_id, action, after_json) "
      "VALUES ('2026-11-25T09:00:00.000Z', 0, 'contact', $1, 'create', $2)",
      params(contact, std::string(R"({"first_name":"T"})")));
  insert(domain::activity_schema(), {{"type", "call"},
                                     {"subject", "Intro"},
                                     {"contact_id", contact},
                                     {"occurred_at", "2020-01-01T10:00:00.000Z"},
                                     {"duration_minutes", 5},
                                     {"owner_id", alice}});
  const std::string same = "2026-11-25T11:00:00.000Z";  // three items at one instant
  insert(domain::note_schema(), {{"body", "Likes tea"},
                                 {"contact_id", contact},
                                 {"pinned", true},
                                 {"created_at", same},
                                 {"team_id", team}});
  insert(domain::task_schema(),
         {{"title", "Call back"}, {"contact_id", contact}, {"created_at", same}});
  insert(domain::task_schema(),
         {{"title", "Again"}, {"contact_id", contact}, {"created_at", same}, {"owner_id", alice}});
  std::vector<Json> items;
  domain::TimelineQuery q{"contact", contact, 2, "",
                          domain::timeline_children(domain::contact_schema())};
  for (int guard = 0; guard < 10; ++guard) {
    auto page = read_timeline(*db_, q);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (auto& item : page->items) items.push_back(item);
    if (!page->next_cursor) break;
    q.cursor = *page->next_cursor;
  }
  ASSERT_EQ(items.size(), 5u);
  std::vector<std::string> kinds;
  kinds.reserve(items.size());
  for (const auto& item : items) kinds.push_back(item["kind"].get<std::string>());
  EXPECT_EQ(kinds, (std::vector<std::string>{"note", "task", "task", "audit", "activity"}));
  EXPECT_GT(items[1]["id"], items[2]["id"]);
  EXPECT_EQ(items[0]["pinned"], true);
  EXPECT_EQ(items[0]["body"], "Likes tea");
  EXPECT_EQ(items[3]["changes"]["first_name"], "T");
  EXPECT_EQ(items[3]["before"], nullptr);
  EXPECT_EQ(items[4]["subject"], "Intro");
  EXPECT_EQ(items[4]["duration_minutes"], 5);
  EXPECT_EQ(items[4]["at"], "2020-01-01T10:00:00.000Z");

  domain::TimelineQuery restricted{"contact", contact, 50, "",
                                   domain::timeline_children(domain::contact_schema())};
  domain::timeline_child(restricted, "activity")->visibility = {false, std::nullopt, std::nullopt,
                                                                false};  // none
  domain::timeline_child(restricted, "note")->visibility = {false, std::nullopt, team,
                                                            false};  // Nord's
  domain::timeline_child(restricted, "task")->visibility = {false, alice, std::nullopt,
                                                            false};  // alice's
  auto page = read_timeline(*db_, restricted);
  ASSERT_TRUE(page.ok());
  std::map<std::string, int> n;
  for (const auto& item : page->items) ++n[item["kind"].get<std::string>()];
  EXPECT_EQ(n, (std::map<std::string, int>{{"audit", 1}, {"note", 1}, {"task", 1}}));

  // Deals show their stage changes; other entities have no timeline; cursors are checked.
  const auto pipeline =
      insert(domain::pipeline_schema(), {{"name", "P"}, {"stages", Json::array()}});
  const auto deal = insert(domain::deal_schema(), {{"title", "D"}, {"pipeline_id", pipeline}});
  db_->query(
      "INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, at, actor_user_id) "
      "VALUES ($1, 'new', 'won', '2026-11-25T12:00:00.000Z', 0)",
      params(deal));
  auto deal_page = read_timeline(*db_, {"deal", deal, 50, ""});
  ASSERT_TRUE(deal_page.ok());
  ASSERT_EQ(deal_page->items.size(), 1u);
  EXPECT_EQ(deal_page->items[0]["kind"], "stage_change");
  EXPECT_EQ(deal_page->items[0]["to_stage"], "won");
  EXPECT_FALSE(read_timeline(*db_, {"user", alice, 50, ""}).ok());
  for (const Json& bad : {Json::array({1, 2, 3}), Json::array({"x", 1.5, 3}),
                          Json::array({"x", 9000000000000000000LL, 3})}) {
    auto r = read_timeline(*db_, {"contact", contact, 50, encode_cursor(bad)});
    if (bad[0].is_string() && bad[1].is_number_integer()) {
      EXPECT_TRUE(r.ok()) << bad;  // any integer rank is a valid (if odd) position
    } else {
      ASSERT_FALSE(r.ok()) << bad;
      EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    }
  }
}

}  // namespace
}  // namespace relais::storage::postgres
