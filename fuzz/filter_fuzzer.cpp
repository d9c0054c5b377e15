// Fuzzes the ?filter= language and the ?q= search text of list endpoints, for every record
// type in all_schemas(): domain::parse_filter (through RecordService::list, as a request
// does), the SQLite engine's compilation of the tree into parameterised SQL (list query with
// visibility, sort and search; count query), and running it on a real database holding a few
// records (fuzz_support.hpp), so SQLite and FTS5 parse what was built from user text. A
// syntax or validation error is the expected answer to most inputs; an internal error (what
// the server answers with 500: SQL that SQLite refuses, an exception) or a crash is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/query/filter_parser.hpp"
#include "domain/schema/entity_schema.hpp"
#include "fuzz_support.hpp"
#include "storage/sqlite/list_query.hpp"

namespace {

namespace domain = relais::domain;
namespace fuzz = relais::fuzz;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  domain::Services& services = fuzz::FuzzDatabase::get().services();
  for (const domain::EntitySchema* schema : domain::all_schemas()) {
    domain::RecordService* records = services.by_plural(schema->plural);
    if (records == nullptr) __builtin_trap();  // every schema has its list endpoint

    // The filter alone, then with a sort, a search and a sales user's visibility.
    domain::ListRequest request;
    request.filter = text;
    request.limit = 1;
    auto page = records->list(domain::Actor::system(), request);
    fuzz::expect_no_internal(page);
    if (!page.ok()) continue;  // the same filter fails the same way below
    request.sort = "-updated_at";
    request.q = "hel";
    fuzz::expect_no_internal(records->list(fuzz::sales_actor(), request));

    // What the domain's own counting (team members, deals in a pipeline...) compiles.
    auto filter = domain::parse_filter(text, *schema);
    if (!filter.ok()) __builtin_trap();  // it parsed a moment ago
    domain::ListQuery query;
    query.filter = filter.value();
    fuzz::expect_no_internal(
        services.store.read([&](domain::Transaction& tx) -> relais::Result<relais::Json> {
          RELAIS_ASSIGN_OR_RETURN(std::int64_t count, tx.count(*schema, query));
          return relais::Json(count);
        }));
  }
  // The same bytes as ?q= (the server refuses invalid UTF-8 before it gets this far).
  domain::ListRequest search;
  search.q = text;
  for (auto* records : {&services.contacts, &services.companies, &services.deals}) {
    fuzz::expect_no_internal(records->list(domain::Actor::system(), search));
    fuzz::expect_no_internal(records->list(fuzz::sales_actor(), search));
  }
  search.sort = "last_name";  // not the rowid walk: the general `id IN (MATCH)` form
  fuzz::expect_no_internal(services.contacts.list(domain::Actor::system(), search));
  return 0;
}
