// Storage contract suite (see store_contract.hpp): behaviour every engine must share.
#include "storage/store_contract.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "storage/common/keyset.hpp"
#include "storage/testing/required_values.hpp"

namespace relais::storage::testing {
namespace {

using domain::CompareOp;
using domain::EntitySchema;
using domain::FieldType;
using domain::FilterNode;
using domain::FilterPtr;
using domain::ListQuery;
using domain::Transaction;

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

// A valid value of every writable field, references pointing at `refs[entity]`.
Json sample_record(const EntitySchema& schema, const std::map<std::string, std::int64_t>& refs,
                   int n) {
  Json r = Json::object();
  for (const auto& f : schema.fields) {
    if (f.name == "id" || f.name == "version" || f.name == "created_at" || f.name == "updated_at") {
      continue;
    }
    switch (f.type) {
      case FieldType::kText:
        r[f.name] = f.name + "-" + std::to_string(n);
        break;
      case FieldType::kInteger:
        r[f.name] = 7 + n;
        break;
      case FieldType::kMoney:
        r[f.name] = 123456;
        break;
      case FieldType::kCurrency:
        r[f.name] = "USD";
        break;
      case FieldType::kDate:
        r[f.name] = "2026-11-25";
        break;
      case FieldType::kDateTime:
        r[f.name] = "2026-11-25T10:00:00.000Z";
        break;
      case FieldType::kBoolean:
        r[f.name] = true;
        break;
      case FieldType::kEnum:
        r[f.name] = f.enum_values.back();
        break;
      case FieldType::kTextList:
        r[f.name] = Json::array({"a", "B c"});
        break;
      case FieldType::kReference: {
        const auto it = refs.find(f.references);
        r[f.name] = it == refs.end() ? Json(nullptr) : Json(it->second);
        break;
      }
      case FieldType::kReferenceList: {
        const auto it = refs.find(f.references);
        r[f.name] = it == refs.end() ? Json::array() : Json::array({it->second});
        break;
      }
      case FieldType::kObject:
        r[f.name] = Json{{"k", "v"}, {"n", 1}};
        break;
      case FieldType::kList:
        r[f.name] = Json::array({{{"id", "new"}, {"name", "New"}, {"kind", "open"}}});
        break;
    }
  }
  if (schema.name == "user") r["email"] = "user" + std::to_string(n) + "@example.com";
  if (schema.name == "company") r["domain"] = "acme" + std::to_string(n) + ".example";
  return r;
}

const std::regex kIsoMillis(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

}  // namespace

void StoreContractTest::SetUp() {
  dir_ = std::make_unique<relais::testing::TestDirectory>("relais-store");
  auto store = GetParam().open(dir_->path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  store_ = std::move(store).value();
}

void StoreContractTest::TearDown() {
  store_.reset();  // closed before its directory goes
  if (GetParam().drop) GetParam().drop(dir_->path());
  dir_.reset();
}

void StoreContractTest::reopen() {
  store_.reset();
  auto store = GetParam().open(dir_->path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  store_ = std::move(store).value();
}

Json StoreContractTest::write(const domain::UnitOfWork& work) {
  auto r = store_->write(work);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json();
}

Json StoreContractTest::read(const domain::UnitOfWork& work) {
  auto r = store_->read(work);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json();
}

Json StoreContractTest::read_once_settled(const std::function<bool(Transaction&)>& ready,
                                          const domain::UnitOfWork& work) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    bool settled = false;
    Json result = read([&](Transaction& tx) -> Result<Json> {
      settled = ready(tx) || std::chrono::steady_clock::now() >= deadline;
      if (!settled) return Json();
      return work(tx);
    });
    if (settled) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

namespace {

// Inserts `values` into `schema` in its own write; returns the stored record.
Json insert_one(domain::Store& store, const EntitySchema& schema, Json values) {
  auto r = store.write([&](Transaction& tx) { return tx.insert(schema, values); });
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : Json();
}

std::vector<std::int64_t> ids_of(const domain::Page& page) {
  std::vector<std::int64_t> ids;
  for (const auto& item : page.items) ids.push_back(item["id"].get<std::int64_t>());
  return ids;
}

Result<domain::Page> list(domain::Store& store, const EntitySchema& schema,
                          const ListQuery& query) {
  Result<domain::Page> out = Error::internal();
  auto r = store.read([&](Transaction& tx) -> Result<Json> {
    out = tx.list(schema, query);
    return Json();
  });
  EXPECT_TRUE(r.ok());
  return out;
}

std::vector<std::int64_t> list_ids(domain::Store& store, const EntitySchema& schema,
                                   const ListQuery& query) {
  auto page = list(store, schema, query);
  EXPECT_TRUE(page.ok()) << (page.ok() ? "" : page.error().message);
  return page.ok() ? ids_of(page.value()) : std::vector<std::int64_t>{};
}

}  // namespace

TEST_P(StoreContractTest, CrudRoundTripForEverySchema) {
  std::map<std::string, std::int64_t> refs;
  int n = 0;
  for (const auto* schema :
       {&domain::team_schema(), &domain::user_schema(), &domain::company_schema(),
        &domain::pipeline_schema(), &domain::contact_schema(), &domain::deal_schema(),
        &domain::activity_schema(), &domain::task_schema(), &domain::note_schema(),
        &domain::custom_field_schema()}) {
    SCOPED_TRACE(schema->name);
    const Json values = sample_record(*schema, refs, ++n);
    const Json stored = insert_one(*store_, *schema, values);
    ASSERT_TRUE(stored.is_object());
    for (const auto& f : schema->fields) EXPECT_TRUE(stored.contains(f.name)) << f.name;
    for (const auto& [key, value] : values.items()) EXPECT_EQ(stored[key], value) << key;
    EXPECT_EQ(stored["version"], 1);
    EXPECT_TRUE(std::regex_match(stored["created_at"].get<std::string>(), kIsoMillis));
    const std::int64_t id = stored["id"].get<std::int64_t>();
    refs[schema->name] = id;

    const Json fetched = read([&](Transaction& tx) { return tx.get(*schema, id); });
    EXPECT_EQ(fetched, stored);

    // Update one writable field; the others stay as they were.
    std::string field;
    for (const auto& f : schema->fields) {
      if (f.type == FieldType::kText && !f.read_only && f.name != "email") field = f.name;
    }
    ASSERT_FALSE(field.empty());
    const Json updated = write([&](Transaction& tx) {
      return tx.update(*schema, id, Json{{field, "changed"}}, 1);
    });
    EXPECT_EQ(updated[field], "changed");
    EXPECT_EQ(updated["version"], 2);
    for (const auto& [key, value] : values.items()) {
      if (key != field) {
        EXPECT_EQ(updated[key], value) << key;
      }
    }
    const Json counted = read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(auto c, tx.count(*schema, ListQuery{}));
      return Json(c);
    });
    EXPECT_EQ(counted, 1);
  }
}

TEST_P(StoreContractTest, DefaultsNullsAndRemove) {
  const auto& contacts = domain::contact_schema();
  const Json c = insert_one(*store_, contacts, Json{{"first_name", "Ana"}});
  EXPECT_EQ(c["lifecycle_stage"], "lead");
  EXPECT_EQ(c["score"], 0);
  EXPECT_TRUE(c["last_name"].is_null());
  EXPECT_TRUE(c["emails"].is_null());
  const auto id = c["id"].get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.remove(contacts, id));
    return Json();
  });
  auto gone = store_->read([&](Transaction& tx) { return tx.get(contacts, id); });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  auto again = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.remove(contacts, id));
    return Json();
  });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, StaleVersionIsAConflictWithCurrentVersion) {
  const auto& contacts = domain::contact_schema();
  const auto id =
      insert_one(*store_, contacts, Json{{"first_name", "A"}})["id"].get<std::int64_t>();
  write([&](Transaction& tx) { return tx.update(contacts, id, Json{{"city", "Lyon"}}, 1); });
  auto stale = store_->write([&](Transaction& tx) {
    return tx.update(contacts, id, Json{{"city", "Nantes"}}, 1);
  });
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(stale.error().message, "version mismatch");
  EXPECT_EQ(stale.error().details["current_version"], 2);
  auto missing = store_->write([&](Transaction& tx) {
    return tx.update(contacts, 999999, Json{{"city", "X"}}, 1);
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const Json now = read([&](Transaction& tx) { return tx.get(contacts, id); });
  EXPECT_EQ(now["city"], "Lyon");
}

TEST_P(StoreContractTest, ContactEmailsAreUniqueIgnoringCase) {
  const auto& contacts = domain::contact_schema();
  const auto first =
      insert_one(*store_, contacts, Json{{"first_name", "A"}})["id"].get<std::int64_t>();
  const auto second =
      insert_one(*store_, contacts, Json{{"first_name", "B"}})["id"].get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_contact_emails(first, {"Jean.Dupont@Acme.fr", "jean@home.fr"}));
    return Json();
  });
  auto clash = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_contact_emails(second, {"other@x.fr", "jean.dupont@ACME.FR"}));
    return Json();
  });
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(clash.error().details["existing_id"], first);
  const Json found = read([&](Transaction& tx) -> Result<Json> {
    return Json{{"dupont", tx.find_contact_by_email(" JEAN.DUPONT@acme.fr ").value_or(-1)},
                {"other", tx.find_contact_by_email("other@x.fr").value_or(-1)}};
  });
  EXPECT_EQ(found["dupont"], first);
  EXPECT_EQ(found["other"], -1);  // the failed write left nothing behind
  // Re-setting one's own addresses is fine.
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_contact_emails(first, {"jean.dupont@acme.fr"}));
    return Json();
  });
  // A new contact's addresses are added the same way: normalised, clashes named.
  const auto third =
      insert_one(*store_, contacts, Json{{"first_name", "C"}})["id"].get<std::int64_t>();
  auto taken = store_->write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.add_contact_emails(third, {"c@x.fr", "JEAN.dupont@acme.fr"}));
    return Json();
  });
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ(taken.error().details["existing_id"], first);
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.add_contact_emails(third, {" C@X.fr", "c@x.fr"}));  // listed twice
    return Json();
  });
  const Json c = read([&](Transaction& tx) -> Result<Json> {
    return Json(tx.find_contact_by_email("c@x.fr").value_or(-1));
  });
  EXPECT_EQ(c, third);
}

TEST_P(StoreContractTest, CompanyDomainAndUserEmailUniqueness) {
  const auto& companies = domain::company_schema();
  const auto acme = insert_one(*store_, companies, Json{{"name", "Acme"}, {"domain", "Acme.fr"}});
  insert_one(*store_, companies, Json{{"name", "No domain 1"}, {"domain", ""}});
  insert_one(*store_, companies, Json{{"name", "No domain 2"}, {"domain", ""}});
  auto dup = store_->write([&](Transaction& tx) {
    return tx.insert(companies, Json{{"name", "Acme bis"}, {"domain", "acme.FR"}});
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().details["existing_id"], acme["id"]);
  const Json by_domain = read([&](Transaction& tx) -> Result<Json> {
    return Json(tx.find_company_by_domain("ACME.fr").value_or(-1));
  });
  EXPECT_EQ(by_domain, acme["id"]);

  const auto& users = domain::user_schema();
  insert_one(*store_, users, Json{{"email", "Admin@Example.com"}, {"role", "admin"}});
  auto dup_user = store_->write([&](Transaction& tx) {
    return tx.insert(users, Json{{"email", "admin@example.COM"}, {"role", "sales"}});
  });
  ASSERT_FALSE(dup_user.ok());
  EXPECT_EQ(dup_user.error().code, ErrorCode::kConflict);
}

TEST_P(StoreContractTest, FilterOperators) {
  const auto& contacts = domain::contact_schema();
  auto add = [&](Json v) {
    return insert_one(*store_, contacts, std::move(v))["id"].get<std::int64_t>();
  };
  const auto lyon = add({{"last_name", "Martin"},
                         {"city", "Lyon"},
                         {"score", 10},
                         {"tags", {"VIP", "client"}},
                         {"lifecycle_stage", "lead"}});
  const auto paris = add({{"last_name", "Durand"},
                          {"city", "Paris"},
                          {"score", 50},
                          {"tags", Json::array()},
                          {"lifecycle_stage", "customer"}});
  const auto none = add({{"last_name", "100% Bio_x"}, {"score", 80}, {"lifecycle_stage", "mql"}});
  auto ids = [&](FilterPtr f) {
    ListQuery q;
    q.filter = std::move(f);
    auto v = list_ids(*store_, contacts, q);
    std::sort(v.begin(), v.end());
    return v;
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(ids(cmp("city", CompareOp::kEq, "Lyon")), V{lyon});
  EXPECT_EQ(ids(cmp("city", CompareOp::kNe, "Lyon")), (V{paris, none}));  // NULL city included
  EXPECT_EQ(ids(cmp("score", CompareOp::kLt, 50)), V{lyon});
  EXPECT_EQ(ids(cmp("score", CompareOp::kLe, 50)), (V{lyon, paris}));
  EXPECT_EQ(ids(cmp("score", CompareOp::kGt, 50)), V{none});
  EXPECT_EQ(ids(cmp("score", CompareOp::kGe, 50)), (V{paris, none}));
  EXPECT_EQ(ids(cmp("last_name", CompareOp::kContains, "MART")), V{lyon});
  EXPECT_EQ(ids(cmp("last_name", CompareOp::kContains, "100%")), V{none});
  EXPECT_EQ(ids(cmp("last_name", CompareOp::kContains, "%")), V{none});  // escaped wildcard
  EXPECT_EQ(ids(cmp("last_name", CompareOp::kContains, "o_x")), V{none});
  EXPECT_EQ(ids(cmp("last_name", CompareOp::kContains, "a_t")), V{});
  EXPECT_EQ(ids(cmp("tags", CompareOp::kContains, "vip")), V{lyon});
  EXPECT_EQ(ids(cmp("tags", CompareOp::kContains, "vi")), V{});  // element match, not substring
  EXPECT_EQ(ids(cmp("lifecycle_stage", CompareOp::kIn, Json::array({"lead", "mql"}))),
            (V{lyon, none}));
  EXPECT_EQ(ids(cmp("tags", CompareOp::kIsEmpty)), (V{paris, none}));
  EXPECT_EQ(ids(cmp("tags", CompareOp::kIsNotEmpty)), V{lyon});
  EXPECT_EQ(ids(cmp("city", CompareOp::kIsEmpty)), V{none});
  EXPECT_EQ(ids(group(FilterNode::Kind::kNot, {cmp("tags", CompareOp::kContains, "vip")})),
            (V{paris, none}));
  EXPECT_EQ(ids(group(FilterNode::Kind::kNot, {cmp("city", CompareOp::kContains, "ly")})),
            (V{paris, none}));
  EXPECT_EQ(ids(group(FilterNode::Kind::kOr,
                      {cmp("city", CompareOp::kEq, "Paris"),
                       group(FilterNode::Kind::kAnd, {cmp("score", CompareOp::kGe, 10),
                                                      cmp("score", CompareOp::kLt, 20)})})),
            (V{lyon, paris}));

  ListQuery bad;
  bad.filter = cmp("no_such_field; DROP TABLE contacts", CompareOp::kEq, 1);
  auto r = list(*store_, contacts, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);

  ListQuery counted;
  counted.filter = cmp("score", CompareOp::kGe, 50);
  const Json n = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto c, tx.count(contacts, counted));
    return Json(c);
  });
  EXPECT_EQ(n, 2);
}

TEST_P(StoreContractTest, FullTextSearchIgnoresAccentsMatchesPrefixesAndSurvivesHostileInput) {
  const auto& contacts = domain::contact_schema();
  const auto helene = insert_one(*store_, contacts,
                                 Json{{"first_name", "Hélène"},
                                      {"last_name", "Dupont"},
                                      {"emails", {"helene@acme.fr"}},
                                      {"city", "Besançon"}})["id"];
  const auto other =
      insert_one(*store_, contacts, Json{{"first_name", "Marc"}, {"last_name", "Durand"}})["id"];
  auto search = [&](const std::string& q) {
    ListQuery query;
    query.text_search = q;
    auto page = list(*store_, contacts, query);
    EXPECT_TRUE(page.ok()) << q << ": " << (page.ok() ? "" : page.error().message);
    return page.ok() ? ids_of(page.value()) : std::vector<std::int64_t>{-1};
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(search("helene"), V{helene});
  EXPECT_EQ(search("HÉLÈNE"), V{helene});
  EXPECT_EQ(search("dup"), V{helene});
  EXPECT_EQ(search("besancon"), V{helene});
  EXPECT_EQ(search("hel dup"), V{helene});
  EXPECT_EQ(search("hel durand"), V{});
  EXPECT_EQ(search("du"), (V{other, helene}));
  EXPECT_EQ(search("acme"), V{helene});
  {
    // A filter on a column the full-text table also has (city) next to a search.
    ListQuery query;
    query.text_search = "du";
    query.filter = cmp("city", CompareOp::kEq, "Besançon");
    auto page = list(*store_, contacts, query);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_EQ(ids_of(page.value()), V{helene.get<std::int64_t>()});
  }
  for (const char* hostile : {"\"", "a OR b)", "*", "NEAR(", "dup\"*", "'; DROP TABLE contacts; --",
                              "^", "-", "col:value", "((", "AND", "\"\"\""}) {
    SCOPED_TRACE(hostile);
    search(hostile);
  }
  EXPECT_EQ(search("dup\" OR \"marc"), V{});  // quotes stripped: no operator injection
  // The index follows updates and deletes.
  write([&](Transaction& tx) {
    return tx.update(contacts, helene.get<std::int64_t>(), Json{{"last_name", "Leroy"}}, {});
  });
  EXPECT_EQ(search("dupont"), V{});
  EXPECT_EQ(search("leroy"), V{helene});
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.remove(contacts, helene.get<std::int64_t>()));
    return Json();
  });
  EXPECT_EQ(search("leroy"), V{});
}

// PostgreSQL types every parameter from its column, SQLite compares anything with anything:
// a value that does not fit its field is a 400 naming it on both, never a 500 or a silent
// "matches nothing"; text tests stay text tests ("[]" is not an empty city).
TEST_P(StoreContractTest, FilterAndCursorValuesMustFitTheirField) {
  const auto& contacts = domain::contact_schema();
  const auto a =
      insert_one(*store_, contacts, Json{{"last_name", "5"}, {"city", "[]"}, {"score", 5}})["id"];
  const auto b = insert_one(*store_, contacts, Json{{"last_name", "x"}, {"city", ""}})["id"];
  auto run = [&](FilterPtr f) {
    ListQuery q;
    q.filter = std::move(f);
    q.sort = {{"id", false}};
    return list(*store_, contacts, q);
  };
  for (const auto& [filter, message] : std::vector<std::pair<FilterPtr, std::string>>{
           {cmp("score", CompareOp::kEq, "abc"), "'score' expects an integer"},
           {cmp("score", CompareOp::kLt, 5.5), "'score' expects an integer"},
           {cmp("score", CompareOp::kIn, Json::array({1, "x"})), "'score' expects an integer"},
           {cmp("owner_id", CompareOp::kEq, true), "'owner_id' expects an integer"},
           {cmp("city", CompareOp::kEq, 1.5), "'city' expects a text value"},
           {cmp("score", CompareOp::kContains, "5"),
            "'contains' needs a text or list field, 'score' is integer"},
           {cmp("custom", CompareOp::kContains, "k"), "'custom' can only be tested with is empty"},
           {cmp("tags", CompareOp::kContains, 5), "tags holds text values"}}) {
    SCOPED_TRACE(message);
    auto r = run(filter);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(r.error().message, message);
  }
  using V = std::vector<std::int64_t>;
  auto ids = [&](FilterPtr f) {
    auto r = run(std::move(f));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? ids_of(r.value()) : V{-1};
  };
  EXPECT_EQ(ids(cmp("last_name", CompareOp::kEq, 5)), V{a.get<std::int64_t>()});
  EXPECT_EQ(ids(cmp("score", CompareOp::kEq, 5.0)), V{a.get<std::int64_t>()});
  EXPECT_EQ(ids(cmp("city", CompareOp::kIsEmpty)), V{b.get<std::int64_t>()});
  for (const Json& values :
       {Json::array({"abc", 1}), Json::array({5.5, 1}), Json::array({true, 1})}) {
    ListQuery q;
    q.sort = {{"score", false}};
    q.cursor = encode_cursor(values);
    auto r = list(*store_, contacts, q);
    ASSERT_FALSE(r.ok()) << values;
    EXPECT_EQ(r.error().message, "invalid cursor");
  }
}

// A search term of several words ("jean-pierre", an e-mail address) is a phrase: its words
// adjacent, in order, in one field, the last one a prefix (FTS5's "jean pierre"*).
TEST_P(StoreContractTest, SearchTermsOfSeveralWordsArePhrasesWithinOneField) {
  const auto& contacts = domain::contact_schema();
  auto add = [&](Json v) {
    return insert_one(*store_, contacts, std::move(v))["id"].get<std::int64_t>();
  };
  const auto jp = add({{"first_name", "Jean-Pierre"}, {"last_name", "Leroy"}});
  const auto split = add({{"first_name", "Jean"}, {"last_name", "Pierre"}});
  const auto reversed = add({{"first_name", "Pierre-Jean"}, {"emails", {"pj@acme.fr"}}});
  auto search = [&](const std::string& q) {
    ListQuery query;
    query.text_search = q;
    return list_ids(*store_, contacts, query);
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(search("jean-pierre"), V{jp});
  EXPECT_EQ(search("jean-pie"), V{jp});
  EXPECT_EQ(search("jea-pierre"), V{});  // only the last word is a prefix
  EXPECT_EQ(search("jean pierre"), (V{reversed, split, jp}));
  EXPECT_EQ(search("pj@acme.fr"), V{reversed});
  EXPECT_EQ(search("acme.fr"), V{reversed});
  EXPECT_EQ(search("fr.acme"), V{});
}

TEST_P(StoreContractTest, SearchPagesWalkEveryVisibleMatchOnceInEveryOrder) {
  const auto& contacts = domain::contact_schema();
  const std::int64_t owner =
      write([&](Transaction& tx) -> Result<Json> {
        RELAIS_ASSIGN_OR_RETURN(Json u,
                                tx.insert(domain::user_schema(),
                                          Json{{"email", "owner@example.com"}, {"role", "sales"}}));
        return u["id"];
      }).get<std::int64_t>();
  // 40 contacts: three in four named Martin (the others Moreau), two in three owned by
  // `owner` (the others by nobody).
  std::vector<std::tuple<std::string, std::string, bool, std::int64_t>> rows;
  write([&](Transaction& tx) -> Result<Json> {
    for (int i = 0; i < 40; ++i) {
      const std::string last = i % 4 == 3 ? "Moreau" : "Martin";
      const std::string first = std::string(1, static_cast<char>('A' + (i * 7) % 26)) + "lix";
      Json values = {{"first_name", first}, {"last_name", last}};
      const bool mine = i % 3 != 0;
      if (mine) values["owner_id"] = owner;
      RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(contacts, values));
      rows.emplace_back(first, last, mine, c["id"].get<std::int64_t>());
    }
    return Json();
  });
  domain::Visibility only_mine;
  only_mine.all = false;
  only_mine.owner_id = owner;
  only_mine.include_unowned = false;

  struct Case {
    std::vector<domain::SortKey> sort;
    bool restricted;
  };
  for (const Case& c : {Case{{}, false}, Case{{{"id", false}}, false}, Case{{}, true},
                        Case{{{"first_name", false}}, true}, Case{{{"id", true}}, true}}) {
    const std::string order = c.sort.empty() ? "default" : c.sort.front().field;
    SCOPED_TRACE(order + (c.restricted ? ", own records only" : ""));
    std::vector<std::tuple<std::string, std::int64_t>> expected;
    for (const auto& [first, last, mine, id] : rows) {
      if (last == "Martin" && (mine || !c.restricted)) expected.emplace_back(first, id);
    }
    std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
      if (order == "first_name") return a < b;
      const bool descending = c.sort.empty() || c.sort.front().descending;
      return descending ? std::get<1>(a) > std::get<1>(b) : std::get<1>(a) < std::get<1>(b);
    });
    std::vector<std::int64_t> want;
    want.reserve(expected.size());
    for (const auto& e : expected) want.push_back(std::get<1>(e));

    ListQuery q;
    q.text_search = "mart";
    q.sort = c.sort;
    q.limit = 4;
    if (c.restricted) q.visibility = only_mine;
    std::vector<std::int64_t> got;
    for (int pages = 0;; ++pages) {
      ASSERT_LT(pages, 20);
      auto page = list(*store_, contacts, q);
      ASSERT_TRUE(page.ok()) << page.error().message;
      for (auto id : ids_of(page.value())) got.push_back(id);
      if (!page->next_cursor) break;
      q.cursor = *page->next_cursor;
    }
    EXPECT_EQ(got, want);
  }
}

TEST_P(StoreContractTest, CursorPaginationWalksEveryRowOnceInSortOrder) {
  const auto& contacts = domain::contact_schema();
  std::mt19937 rng(42);
  const std::vector<Json> names = {"Martin", "Bernard", "Dubois", nullptr, "Petit", "Martin"};
  std::vector<std::pair<Json, std::int64_t>> rows;
  write([&](Transaction& tx) -> Result<Json> {
    for (int i = 0; i < 40; ++i) {
      const Json& name = names[rng() % names.size()];
      RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(contacts, Json{{"last_name", name}}));
      rows.emplace_back(name, c["id"].get<std::int64_t>());
    }
    return Json();
  });
  for (const bool descending : {false, true}) {
    SCOPED_TRACE(descending ? "desc" : "asc");
    auto expected = rows;
    std::sort(expected.begin(), expected.end(), [&](const auto& a, const auto& b) {
      // NULL sorts first ascending (SQL engines agree on this within the contract).
      auto key = [](const auto& r) {
        return std::make_tuple(!r.first.is_null(),
                               r.first.is_null() ? "" : r.first.template get<std::string>(),
                               r.second);
      };
      return descending ? key(b) < key(a) : key(a) < key(b);
    });
    std::vector<std::int64_t> want;
    want.reserve(expected.size());
    for (const auto& r : expected) want.push_back(r.second);

    std::vector<std::int64_t> got;
    ListQuery q;
    q.sort = {{"last_name", descending}};
    q.limit = 7;
    int pages = 0;
    for (;;) {
      auto page = list(*store_, contacts, q);
      ASSERT_TRUE(page.ok()) << page.error().message;
      ASSERT_LE(page->items.size(), 7u);
      for (auto id : ids_of(page.value())) got.push_back(id);
      ++pages;
      if (!page->next_cursor) break;
      q.cursor = *page->next_cursor;
      ASSERT_LT(pages, 20);
    }
    EXPECT_EQ(pages, 6);
    EXPECT_EQ(got, want);
  }
  // Default order: newest first.
  ListQuery q;
  q.limit = 3;
  const auto first = list_ids(*store_, contacts, q);
  EXPECT_EQ(first, (std::vector<std::int64_t>{rows[39].second, rows[38].second, rows[37].second}));

  for (const char* bad : {"not-base64!", "W10", "e30", "WyJ4Il0", "%%%"}) {
    ListQuery b;
    b.cursor = bad;
    auto r = list(*store_, contacts, b);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << bad;
  }
  ListQuery unsortable;
  unsortable.sort = {{"password_hash", false}};
  auto r = list(*store_, domain::user_schema(), unsortable);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
}

TEST_P(StoreContractTest, VisibilityRestrictsOwnedRecords) {
  const auto team = insert_one(*store_, domain::team_schema(), Json{{"name", "Nord"}})["id"];
  const auto alice = insert_one(*store_, domain::user_schema(),
                                Json{{"email", "a@x.fr"}, {"role", "sales"}})["id"];
  const auto bob = insert_one(*store_, domain::user_schema(),
                              Json{{"email", "b@x.fr"}, {"role", "sales"}})["id"];
  const auto& contacts = domain::contact_schema();
  const auto mine = insert_one(*store_, contacts, Json{{"owner_id", alice}})["id"];
  const auto teams =
      insert_one(*store_, contacts, Json{{"owner_id", bob}, {"team_id", team}})["id"];
  const auto theirs = insert_one(*store_, contacts, Json{{"owner_id", bob}})["id"];
  const auto unowned = insert_one(*store_, contacts, Json::object())["id"];
  (void)theirs;
  auto visible = [&](domain::Visibility v) {
    ListQuery q;
    q.visibility = v;
    auto ids = list_ids(*store_, contacts, q);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(visible({}).size(), 4u);
  EXPECT_EQ(visible({false, alice.get<std::int64_t>(), std::nullopt, false}), V{mine});
  EXPECT_EQ(visible({false, alice.get<std::int64_t>(), team.get<std::int64_t>(), true}),
            (V{mine, teams, unowned}));
  EXPECT_EQ(visible({false, std::nullopt, std::nullopt, false}), V{});
  // Unowned schemas ignore visibility.
  ListQuery q;
  q.visibility = {false, std::nullopt, std::nullopt, false};
  EXPECT_EQ(list_ids(*store_, domain::team_schema(), q).size(), 1u);
}

TEST_P(StoreContractTest, TimelineIsNewestFirstAndPaginated) {
  const auto& contacts = domain::contact_schema();
  const auto contact =
      insert_one(*store_, contacts, Json{{"first_name", "T"}})["id"].get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    tx.record_audit({0, "contact", contact, "create", nullptr, Json{{"first_name", "T"}}});
    RELAIS_TRY(
        tx.insert(domain::activity_schema(), Json{{"type", "call"},
                                                  {"subject", "Intro"},
                                                  {"contact_id", contact},
                                                  {"occurred_at", "2020-01-01T10:00:00.000Z"},
                                                  {"duration_minutes", 5}}));
    RELAIS_TRY(
        tx.insert(domain::note_schema(), Json{{"body", "Likes tea"}, {"contact_id", contact}}));
    RELAIS_TRY(
        tx.insert(domain::task_schema(), Json{{"title", "Call back"}, {"contact_id", contact}}));
    return Json();
  });
  std::vector<Json> items;
  domain::TimelineQuery q{"contact", contact, 2, "",
                          domain::timeline_children(domain::contact_schema())};
  for (int guard = 0; guard < 10; ++guard) {
    Result<domain::Page> page = Error::internal();
    read([&](Transaction& tx) -> Result<Json> {
      page = tx.timeline(q);
      return Json();
    });
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (auto& item : page->items) items.push_back(item);
    if (!page->next_cursor) break;
    q.cursor = *page->next_cursor;
  }
  ASSERT_EQ(items.size(), 4u);
  for (std::size_t i = 1; i < items.size(); ++i) {
    EXPECT_GE(items[i - 1]["at"].get<std::string>(), items[i]["at"].get<std::string>());
  }
  EXPECT_EQ(items.back()["kind"], "activity");  // occurred in 2020: oldest
  EXPECT_EQ(items.back()["subject"], "Intro");
  EXPECT_EQ(items.back()["duration_minutes"], 5);
  std::map<std::string, Json> by_kind;
  for (auto& item : items) by_kind[item["kind"].get<std::string>()] = item;
  EXPECT_EQ(by_kind["audit"]["action"], "create");
  EXPECT_EQ(by_kind["audit"]["changes"]["first_name"], "T");
  EXPECT_EQ(by_kind["note"]["body"], "Likes tea");
  EXPECT_EQ(by_kind["task"]["title"], "Call back");

  // Deals also show stage changes.
  const auto pipeline = insert_one(*store_, domain::pipeline_schema(),
                                   Json{{"name", "P"}, {"stages", Json::array()}})["id"];
  const auto deal = insert_one(*store_, domain::deal_schema(),
                               Json{{"title", "D"}, {"pipeline_id", pipeline}})["id"]
                        .get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    tx.record_stage_change(deal, "new", "won", 0);
    return Json();
  });
  const Json deal_items = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.timeline({"deal", deal, 50, ""}));
    return Json(page.items);
  });
  ASSERT_EQ(deal_items.size(), 1u);
  EXPECT_EQ(deal_items[0]["kind"], "stage_change");
  EXPECT_EQ(deal_items[0]["to_stage"], "won");
}

// Each kind of child is restricted by its own Visibility, exactly like its list.
TEST_P(StoreContractTest, TimelineChildrenFollowTheirVisibility) {
  auto id_of = [](const Json& record) { return record["id"].get<std::int64_t>(); };
  const auto nord = id_of(insert_one(*store_, domain::team_schema(), Json{{"name", "Nord"}}));
  const auto sud = id_of(insert_one(*store_, domain::team_schema(), Json{{"name", "Sud"}}));
  const auto alice = id_of(
      insert_one(*store_, domain::user_schema(), Json{{"email", "a@x.fr"}, {"role", "sales"}}));
  const auto bob = id_of(
      insert_one(*store_, domain::user_schema(), Json{{"email", "b@x.fr"}, {"role", "sales"}}));
  const auto contact =
      id_of(insert_one(*store_, domain::contact_schema(), Json{{"first_name", "T"}}));
  // alice in Nord, bob in Sud, unowned.
  const std::vector<Json> placements = {Json{{"owner_id", alice}, {"team_id", nord}},
                                        Json{{"owner_id", bob}, {"team_id", sud}}, Json::object()};
  for (const Json& placement : placements) {
    write([&](Transaction& tx) -> Result<Json> {
      Json activity = {{"type", "call"}, {"contact_id", contact}};
      Json note = {{"body", "n"}, {"contact_id", contact}};
      Json task = {{"title", "t"}, {"contact_id", contact}};
      for (Json* child : {&activity, &note, &task}) child->update(placement);
      RELAIS_TRY(tx.insert(domain::activity_schema(), activity));
      RELAIS_TRY(tx.insert(domain::note_schema(), note));
      RELAIS_TRY(tx.insert(domain::task_schema(), task));
      return Json();
    });
  }
  auto kinds = [&](const domain::TimelineQuery& q) {
    const Json items = read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(auto page, tx.timeline(q));
      return Json(page.items);
    });
    std::map<std::string, int> n;
    for (const Json& item : items) ++n[item["kind"].get<std::string>()];
    return n;
  };
  using N = std::map<std::string, int>;
  const domain::TimelineQuery everything{"contact", contact, 50, "",
                                         domain::timeline_children(domain::contact_schema())};
  EXPECT_EQ(kinds(everything), (N{{"activity", 3}, {"note", 3}, {"task", 3}}));
  domain::TimelineQuery restricted = everything;
  domain::timeline_child(restricted, "activity")->visibility = {false, alice, nord, true};
  domain::timeline_child(restricted, "note")->visibility = {false, std::nullopt, sud, false};
  domain::timeline_child(restricted, "task")->visibility = {false, std::nullopt, std::nullopt,
                                                            false};  // none
  EXPECT_EQ(kinds(restricted), (N{{"activity", 2}, {"note", 1}}));
}

// Every on_timeline type shows on the timeline of every has_timeline type it references:
// the timeline is built from the declarations, not from a list of tables.
TEST_P(StoreContractTest, TimelinesShowEveryDeclaredChildType) {
  int parents = 0;
  for (const EntitySchema* parent : domain::all_schemas()) {
    if (!parent->has_timeline) continue;
    ++parents;
    const Json id = insert_one(*store_, *parent, required_values(*store_, *parent))["id"];
    std::set<std::string> expected;
    for (const EntitySchema* child : domain::all_schemas()) {
      const domain::FieldDef* link = domain::timeline_link_field(*child, *parent);
      if (link == nullptr) continue;
      Json body = required_values(*store_, *child);
      body[link->name] = id;
      insert_one(*store_, *child, body);
      expected.insert(child->name);
    }
    EXPECT_EQ(expected, (std::set<std::string>{"activity", "note", "task"})) << parent->name;
    const domain::TimelineQuery query{parent->name, id.get<std::int64_t>(), 50, "",
                                      domain::timeline_children(*parent)};
    const Json items = read([&](Transaction& tx) -> Result<Json> {
      RELAIS_ASSIGN_OR_RETURN(auto page, tx.timeline(query));
      return Json(page.items);
    });
    std::set<std::string> kinds;
    for (const Json& item : items) {
      const std::string kind = item["kind"].get<std::string>();
      if (kind != "audit" && kind != "stage_change") kinds.insert(kind);
    }
    EXPECT_EQ(kinds, expected) << parent->name;
  }
  EXPECT_EQ(parents, 3);
}

TEST_P(StoreContractTest, EffectiveTimeStampsWhatTheUnitWrites) {
  const auto& contacts = domain::contact_schema();
  const std::string created = "2025-03-04T09:15:00.250Z";
  const std::string moved = "2025-03-20T16:40:12.000Z";
  const std::string touched = "2025-04-01T08:00:00.001Z";
  const auto pipeline = insert_one(*store_, domain::pipeline_schema(),
                                   Json{{"name", "P"}, {"stages", Json::array()}})["id"];
  const Json written = write([&](Transaction& tx) -> Result<Json> {
    const std::string clock_before = tx.effective_time();
    RELAIS_TRY(tx.set_effective_time(created));
    const std::string effective = tx.effective_time();
    RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(contacts, Json{{"first_name", "Old"}}));
    const auto id = c["id"].get<std::int64_t>();
    tx.record_audit({0, "contact", id, "create", nullptr, Json{{"first_name", "Old"}}});
    RELAIS_ASSIGN_OR_RETURN(
        Json d, tx.insert(domain::deal_schema(), Json{{"title", "D"}, {"pipeline_id", pipeline}}));
    const auto deal = d["id"].get<std::int64_t>();
    tx.record_stage_change(deal, "", "new", 0);
    tx.record_event({"deal.stage_changed", "deal", deal, 0, Json::object()});
    RELAIS_TRY(tx.set_effective_time(moved));
    tx.record_stage_change(deal, "new", "won", 0);
    RELAIS_TRY(tx.set_effective_time(touched));
    RELAIS_ASSIGN_OR_RETURN(Json u, tx.update(contacts, id, Json{{"city", "Lyon"}}, 1));
    // An importer's own created_at/updated_at still win over the effective time.
    RELAIS_ASSIGN_OR_RETURN(Json own, tx.insert(contacts, Json{{"first_name", "Own"},
                                                               {"created_at", moved},
                                                               {"updated_at", moved}}));
    RELAIS_TRY(tx.set_effective_time(std::nullopt));
    return Json{{"clock_before", clock_before},
                {"effective", effective},
                {"clock_after", tx.effective_time()},
                {"inserted", c},
                {"updated", u},
                {"own", own},
                {"deal", deal}};
  });
  ASSERT_TRUE(written.is_object());
  EXPECT_TRUE(std::regex_match(written["clock_before"].get<std::string>(), kIsoMillis));
  EXPECT_GT(written["clock_before"].get<std::string>(), "2026-01-01");
  EXPECT_GE(written["clock_after"].get<std::string>(), written["clock_before"].get<std::string>());
  EXPECT_EQ(written["effective"], created);
  EXPECT_EQ(written["inserted"]["created_at"], created);
  EXPECT_EQ(written["inserted"]["updated_at"], created);
  EXPECT_EQ(written["updated"]["created_at"], created);
  EXPECT_EQ(written["updated"]["updated_at"], touched);
  EXPECT_EQ(written["own"]["created_at"], moved);
  EXPECT_EQ(written["own"]["updated_at"], moved);

  // Own stamps in any other form would break text ordering: refused, nothing written.
  for (const Json& bad : {Json("2025-03-01T09:00:00Z"), Json("2025-03-01"), Json(42),
                          Json("2025-02-30T09:00:00.000Z")}) {
    auto refused = store_->write([&](Transaction& tx) {
      return tx.insert(contacts, Json{{"first_name", "Bad"}, {"created_at", bad}});
    });
    ASSERT_FALSE(refused.ok()) << bad.dump();
    EXPECT_EQ(refused.error().code, ErrorCode::kValidationFailed);
    EXPECT_TRUE(refused.error().fields.count("created_at")) << bad.dump();
  }

  // The stored rows (not only the returned ones) carry the effective times.
  const auto id = written["inserted"]["id"].get<std::int64_t>();
  const Json stored = read([&](Transaction& tx) { return tx.get(contacts, id); });
  EXPECT_EQ(stored["created_at"], created);
  EXPECT_EQ(stored["updated_at"], touched);
  const Json contact_items = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.timeline({"contact", id, 50, ""}));
    return Json(page.items);
  });
  ASSERT_EQ(contact_items.size(), 1u);
  EXPECT_EQ(contact_items[0]["kind"], "audit");
  EXPECT_EQ(contact_items[0]["at"], created);
  // Stage changes are stamped with their own instants and the timeline orders by them.
  const auto deal = written["deal"].get<std::int64_t>();
  const Json deal_items = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.timeline({"deal", deal, 50, ""}));
    return Json(page.items);
  });
  ASSERT_EQ(deal_items.size(), 2u);
  EXPECT_EQ(deal_items[0]["to_stage"], "won");
  EXPECT_EQ(deal_items[0]["at"], moved);
  EXPECT_EQ(deal_items[1]["to_stage"], "new");
  EXPECT_EQ(deal_items[1]["at"], created);

  // A new unit of work starts on the clock again.
  const Json later = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(contacts, Json{{"first_name", "New"}}));
    return Json{{"clock", tx.effective_time()}, {"created_at", c["created_at"]}};
  });
  EXPECT_GE(later["created_at"].get<std::string>(), written["clock_before"].get<std::string>());
  EXPECT_LE(later["created_at"].get<std::string>(), later["clock"].get<std::string>());
}

TEST_P(StoreContractTest, EffectiveTimeMustBeAStorageTimestamp) {
  const std::string kept = "2025-06-01T12:00:00.000Z";
  const Json seen = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_effective_time(kept));
    Json rejected = Json::array();
    for (const char* bad :
         {"", "2025-06-01", "2025-06-01T12:00:00Z", "2025-06-01T12:00:00.000+02:00",
          "2025-06-01 12:00:00.000Z", "2025-02-30T12:00:00.000Z", "2025-06-01T25:00:00.000Z",
          "1 June 2025", "2025-06-01T12:00:00.000Z; DROP TABLE contacts"}) {
      auto r = tx.set_effective_time(std::string(bad));
      if (!r.ok() && r.error().code == ErrorCode::kBadRequest) rejected.push_back(bad);
    }
    return Json{{"rejected", rejected.size()}, {"effective", tx.effective_time()}};
  });
  EXPECT_EQ(seen["rejected"], 9);
  EXPECT_EQ(seen["effective"], kept);  // a rejected time leaves the effective time alone
}

TEST_P(StoreContractTest, ConcurrentWritersAllCommitAndFailuresStayIsolated) {
  const auto& contacts = domain::contact_schema();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 60;
  std::atomic<int> failures_seen{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int kind = i % 10;  // 0: returns an error after writing, 1: throws, else ok
        auto r = store_->write([&](Transaction& tx) -> Result<Json> {
          RELAIS_ASSIGN_OR_RETURN(
              Json c, tx.insert(contacts, Json{{"first_name", kind < 2 ? "doomed" : "kept"},
                                               {"source", std::to_string(t)}}));
          tx.record_audit({0, "contact", c["id"].get<std::int64_t>(), "create", nullptr, c});
          if (kind == 0) return Error::validation("nope");
          if (kind == 1) throw std::runtime_error("boom");
          return c;
        });
        if (kind < 2) {
          if (r.ok())
            ++unexpected;
          else
            ++failures_seen;
        } else if (!r.ok() || r.value()["first_name"] != "kept") {
          ++unexpected;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(failures_seen.load(), kThreads * kPerThread / 5);
  const Json counts = read([&](Transaction& tx) -> Result<Json> {
    ListQuery kept;
    kept.filter = cmp("first_name", CompareOp::kEq, "kept");
    ListQuery doomed;
    doomed.filter = cmp("first_name", CompareOp::kEq, "doomed");
    RELAIS_ASSIGN_OR_RETURN(auto k, tx.count(contacts, kept));
    RELAIS_ASSIGN_OR_RETURN(auto d, tx.count(contacts, doomed));
    return Json{{"kept", k}, {"doomed", d}};
  });
  EXPECT_EQ(counts["kept"], kThreads * kPerThread * 8 / 10);
  EXPECT_EQ(counts["doomed"], 0);
}

TEST_P(StoreContractTest, DataSurvivesReopen) {
  const auto& contacts = domain::contact_schema();
  const auto id =
      insert_one(*store_, contacts, Json{{"first_name", "Persistent"}})["id"].get<std::int64_t>();
  reopen();
  const Json c = read([&](Transaction& tx) { return tx.get(contacts, id); });
  EXPECT_EQ(c["first_name"], "Persistent");
}

TEST_P(StoreContractTest, RepointContactMovesReferences) {
  const auto& contacts = domain::contact_schema();
  const auto from =
      insert_one(*store_, contacts, Json{{"first_name", "Old"}})["id"].get<std::int64_t>();
  const auto into =
      insert_one(*store_, contacts, Json{{"first_name", "New"}})["id"].get<std::int64_t>();
  const auto pipeline = insert_one(*store_, domain::pipeline_schema(),
                                   Json{{"name", "P"}, {"stages", Json::array()}})["id"];
  const auto deal =
      insert_one(
          *store_, domain::deal_schema(),
          Json{{"title", "D"}, {"pipeline_id", pipeline}, {"contact_ids", {from, into}}})["id"]
          .get<std::int64_t>();
  const auto note =
      insert_one(*store_, domain::note_schema(), Json{{"body", "n"}, {"contact_id", from}})["id"]
          .get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_contact_emails(from, {"old@x.fr"}));
    RELAIS_TRY(tx.repoint_contact(from, into));
    return Json();
  });
  const Json after = read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(Json d, tx.get(domain::deal_schema(), deal));
    RELAIS_ASSIGN_OR_RETURN(Json n, tx.get(domain::note_schema(), note));
    return Json{
        {"deal", d}, {"note", n}, {"email", tx.find_contact_by_email("old@x.fr").value_or(-1)}};
  });
  EXPECT_EQ(after["deal"]["contact_ids"], Json::array({into}));
  EXPECT_EQ(after["note"]["contact_id"], into);
  EXPECT_EQ(after["email"], into);
}

TEST_P(StoreContractTest, CredentialsAndSessions) {
  const auto user = insert_one(*store_, domain::user_schema(),
                               Json{{"email", "Boss@X.fr"}, {"role", "admin"}})["id"]
                        .get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.set_password_hash(user, "$argon2id$v=19$hash"));
    RELAIS_TRY(tx.insert_session("h1", {user, "api_token", 1234, "csrf", "ci token"}));
    return Json();
  });
  const Json got = read([&](Transaction& tx) -> Result<Json> {
    auto c = tx.find_credentials_by_email("boss@x.FR");
    auto s = tx.find_session("h1");
    if (!c || !s) return Error::not_found("credentials or session missing");
    return Json{{"user", c->user_id},
                {"hash", c->password_hash},
                {"active", c->active},
                {"s_user", s->user_id},
                {"kind", s->kind},
                {"exp", s->expires_at_ms},
                {"csrf", s->csrf_token},
                {"name", s->name},
                {"none", tx.find_session("nope").has_value()}};
  });
  EXPECT_EQ(got["user"], user);
  EXPECT_EQ(got["hash"], "$argon2id$v=19$hash");
  EXPECT_EQ(got["active"], true);
  EXPECT_EQ(got["s_user"], user);
  EXPECT_EQ(got["kind"], "api_token");
  EXPECT_EQ(got["name"], "ci token");
  EXPECT_EQ(got["exp"], 1234);
  EXPECT_EQ(got["csrf"], "csrf");
  EXPECT_EQ(got["none"], false);
  // The hash is never part of the user record.
  const Json record = read([&](Transaction& tx) { return tx.get(domain::user_schema(), user); });
  EXPECT_FALSE(record.contains("password_hash"));
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.delete_session("h1"));
    return Json();
  });
  const Json gone = read(
      [&](Transaction& tx) -> Result<Json> { return Json(tx.find_session("h1").has_value()); });
  EXPECT_EQ(gone, false);
}

TEST_P(StoreContractTest, SessionLastSeenIsStoredAndTouched) {
  const auto user = insert_one(*store_, domain::user_schema(),
                               Json{{"email", "seen@x.fr"}, {"role", "sales"}})["id"]
                        .get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_session("s1", {user, "session", 9'000, "c", "", 1'000}));
    return Json();
  });
  const auto seen = [&] {
    return read([&](Transaction& tx) -> Result<Json> {
      auto s = tx.find_session("s1");
      if (!s) return Error::not_found("session missing");
      return Json(s->last_seen_at_ms);
    });
  };
  EXPECT_EQ(seen(), 1'000);
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.touch_session("s1", 5'000));
    RELAIS_TRY(tx.touch_session("no-such-session", 5'000));  // not an error
    return Json();
  });
  EXPECT_EQ(seen(), 5'000);
}

TEST_P(StoreContractTest, LoginThrottleCountersRoundTripAndArePruned) {
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.put_login_throttle("k-old", {3, 1'000}));
    RELAIS_TRY(tx.put_login_throttle("k-new", {1, 2'000}));
    RELAIS_TRY(tx.put_login_throttle("k-new", {2, 5'000}));  // replaces
    return Json();
  });
  const auto dump = [&] {
    return read([&](Transaction& tx) -> Result<Json> {
      Json out = Json::object();
      for (const char* key : {"k-old", "k-new", "k-none"}) {
        auto c = tx.find_login_throttle(key);
        out[key] = c ? Json{c->failures, c->last_failure_at_ms} : Json();
      }
      return out;
    });
  };
  EXPECT_EQ(dump(), (Json{{"k-old", {3, 1'000}}, {"k-new", {2, 5'000}}, {"k-none", nullptr}}));
  // Survives a reopen (another server process sees the same counters).
  reopen();
  EXPECT_EQ(dump()["k-new"], (Json{2, 5'000}));
  const Json pruned = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(int n, tx.prune_login_throttle(2'000));
    return Json(n);
  });
  EXPECT_EQ(pruned, 1);
  EXPECT_EQ(dump(), (Json{{"k-old", nullptr}, {"k-new", {2, 5'000}}, {"k-none", nullptr}}));
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.delete_login_throttle("k-new"));
    RELAIS_TRY(tx.delete_login_throttle("k-none"));  // not an error
    return Json();
  });
  EXPECT_EQ(dump()["k-new"], nullptr);
}

TEST_P(StoreContractTest, DeleteSessionsOfUserKeepsOnlyTheExceptedOne) {
  const auto a =
      insert_one(*store_, domain::user_schema(), Json{{"email", "a@x.fr"}, {"role", "sales"}})["id"]
          .get<std::int64_t>();
  const auto b =
      insert_one(*store_, domain::user_schema(), Json{{"email", "b@x.fr"}, {"role", "sales"}})["id"]
          .get<std::int64_t>();
  write([&](Transaction& tx) -> Result<Json> {
    RELAIS_TRY(tx.insert_session("a-keep", {a, "session", 0, "c1", ""}));
    RELAIS_TRY(tx.insert_session("a-other", {a, "session", 0, "c2", ""}));
    RELAIS_TRY(tx.insert_session("a-token", {a, "api_token", 0, "", "ci"}));
    RELAIS_TRY(tx.insert_session("b-session", {b, "session", 0, "c3", ""}));
    return Json();
  });
  const Json deleted = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(int n, tx.delete_sessions_of_user(a, "a-keep"));
    return Json(n);
  });
  EXPECT_EQ(deleted, 2);
  const auto present = [&] {
    return read([&](Transaction& tx) -> Result<Json> {
      Json out = Json::object();
      for (const char* h : {"a-keep", "a-other", "a-token", "b-session"}) {
        out[h] = tx.find_session(h).has_value();
      }
      return out;
    });
  };
  EXPECT_EQ(present(),
            (Json{{"a-keep", true}, {"a-other", false}, {"a-token", false}, {"b-session", true}}));
  // An empty exception keeps none of the user's sessions, and others' stay.
  const Json all = write([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(int n, tx.delete_sessions_of_user(a, ""));
    return Json(n);
  });
  EXPECT_EQ(all, 1);
  EXPECT_EQ(present(),
            (Json{{"a-keep", false}, {"a-other", false}, {"a-token", false}, {"b-session", true}}));
}

// A statement that fails in the database (here a foreign key: no such contact) inside a
// savepoint is undone with the savepoint's other writes, and the unit goes on — on
// PostgreSQL, where a failed statement otherwise aborts the whole transaction, too.
TEST_P(StoreContractTest, AFailedStatementInsideASavepointLeavesTheUnitUsable) {
  const auto& contacts = domain::contact_schema();
  write([&](Transaction& tx) -> Result<Json> {
    auto failed = tx.savepoint([&]() -> Result<Json> {
      RELAIS_TRY(tx.insert(contacts, Json{{"first_name", "Undone"}}));
      RELAIS_TRY(tx.set_contact_emails(999999, {"b@exemple.fr"}));
      return Json();
    });
    EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
    RELAIS_ASSIGN_OR_RETURN(Json c, tx.insert(contacts, Json{{"first_name", "Kept"}}));
    RELAIS_TRY(tx.set_contact_emails(c["id"].get<std::int64_t>(), {"b@exemple.fr"}));
    return Json();
  });
  read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(auto page, tx.list(contacts, {}));
    EXPECT_EQ(page.items.size(), 1U);
    if (!page.items.empty()) {
      EXPECT_EQ(page.items[0]["first_name"], "Kept");
    }
    EXPECT_TRUE(tx.find_contact_by_email("b@exemple.fr").has_value());
    return Json();
  });
}

}  // namespace relais::storage::testing
