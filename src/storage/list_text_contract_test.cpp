// Storage contract: Transaction::list_text is list() as JSON text — for every schema in
// all_schemas(), with every kind of value a column holds (text needing escapes, non-ASCII,
// booleans both ways, integers, JSON lists and objects, nulls), sorted, filtered by search,
// and across pages.
#include <gtest/gtest.h>

#include "domain/schema/entity_schema.hpp"
#include "storage/store_contract.hpp"
#include "storage/testing/required_values.hpp"

namespace relais::storage::testing {
namespace {

using domain::EntitySchema;
using domain::FieldType;
using domain::ListQuery;
using domain::Transaction;

// Text that needs every kind of escape, with non-ASCII letters and a 4-byte character.
std::string tricky_text(int n) {
  return "Hélène \"Zoé\" \\ tab\there\nline " + std::to_string(n) + " \x01\x1f\x7f 😀 ß";
}

// A record of `schema` with a value in every column the store writes, of its field's type.
Json every_value(domain::Store& store, const EntitySchema& schema, int n) {
  Json values = required_values(store, schema);
  for (const auto& key : schema.unique_keys) {  // required_values repeats itself
    for (const auto& name : key) {
      const domain::FieldDef* f = schema.field(name);
      if (f != nullptr && f->type == FieldType::kText) {
        values[name] = "u" + std::to_string(n) + "." + name + "@example.com";
      }
    }
  }
  for (const auto& f : schema.fields) {
    if (f.read_only || values.contains(f.name)) continue;
    switch (f.type) {
      case FieldType::kText:
        values[f.name] = tricky_text(n) + " " + f.name;
        break;
      case FieldType::kInteger:
      case FieldType::kMoney:
        values[f.name] = 1'234'567'890'123LL * (n % 2 == 0 ? 1 : -1);
        break;
      case FieldType::kBoolean:
        values[f.name] = n % 2 == 0;
        break;
      case FieldType::kEnum:
        values[f.name] = f.enum_values.back();
        break;
      case FieldType::kTextList:
        values[f.name] = Json::array({"a\"b", "Ünïcødé", tricky_text(n)});
        break;
      case FieldType::kObject:
        values[f.name] = Json{{"k", "v\n\"q\""}, {"n", 1.5}, {"list", {1, nullptr, true}}};
        break;
      default:
        break;  // dates, currencies, references: their required values or null
    }
  }
  return values;
}

struct Pages {
  domain::Page dom;
  domain::PageText text;
};

Pages both(domain::Store& store, const EntitySchema& schema, const ListQuery& query) {
  Pages pages;
  auto done = store.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(pages.dom, tx.list(schema, query));
    RELAIS_ASSIGN_OR_RETURN(pages.text, tx.list_text(schema, query));
    return Json();
  });
  EXPECT_TRUE(done.ok()) << done.error().message;
  return pages;
}

void expect_same(const Pages& pages) {
  const Json parsed = Json::parse(pages.text.items_json, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << pages.text.items_json;
  EXPECT_EQ(parsed, Json(pages.dom.items));
  EXPECT_EQ(pages.text.count, pages.dom.items.size());
  EXPECT_EQ(pages.text.next_cursor, pages.dom.next_cursor);
}

}  // namespace

TEST_P(StoreContractTest, ListTextIsListAsTextForEverySchema) {
  for (const EntitySchema* schema : domain::all_schemas()) {
    SCOPED_TRACE(schema->plural);
    for (int n = 0; n < 3; ++n) {
      Json values = n == 0 ? required_values(*store_, *schema) : every_value(*store_, *schema, n);
      auto stored = store_->write([&](Transaction& tx) { return tx.insert(*schema, values); });
      ASSERT_TRUE(stored.ok()) << stored.error().message << " " << values.dump();
    }
    ListQuery all;
    all.limit = 200;
    const Pages whole = both(*store_, *schema, all);
    expect_same(whole);
    EXPECT_GE(whole.text.count, 3U);

    // Page by page: the same records, the same cursors, to the end.
    ListQuery paged;
    paged.limit = 1;
    for (int page = 0; page < 10; ++page) {
      const Pages step = both(*store_, *schema, paged);
      expect_same(step);
      if (!step.dom.next_cursor) break;
      paged.cursor = *step.dom.next_cursor;
    }
  }
}

TEST_P(StoreContractTest, ListTextFollowsSortAndSearch) {
  const auto& contacts = domain::contact_schema();
  for (int n = 0; n < 5; ++n) {
    Json values = every_value(*store_, contacts, n);
    values["last_name"] = n % 2 == 0 ? "Dupont" : "Martin";
    if (n == 3) values["city"] = nullptr;
    write([&](Transaction& tx) { return tx.insert(contacts, values); });
  }
  ListQuery sorted;
  sorted.sort = {{"city", false}, {"last_name", true}};
  sorted.limit = 2;
  expect_same(both(*store_, contacts, sorted));

  ListQuery search;
  search.text_search = "dup";
  const Pages found = both(*store_, contacts, search);
  expect_same(found);
  EXPECT_EQ(found.text.count, 3U);

  ListQuery none;
  none.text_search = "zzznothing";
  const Pages empty = both(*store_, contacts, none);
  expect_same(empty);
  EXPECT_EQ(empty.text.items_json, "[]");
}

}  // namespace relais::storage::testing
