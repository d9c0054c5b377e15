// Fuzzes list and timeline cursors: the `cursor` query parameter is opaque to clients but
// arrives from them, so any bytes may come back. storage::sqlite::decode_cursor directly (with
// the invariant that a decoded cursor encodes back to one that decodes the same), then the
// list queries that bind its values — id order, a field order (keyset condition over several
// keys), the full-text walk in rowid order — and the timeline, all on a real database holding
// a few records (fuzz_support.hpp). "invalid cursor" is the expected answer; an internal error
// (a 500) or a crash is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/timeline/timeline_service.hpp"
#include "fuzz_support.hpp"
#include "storage/sqlite/list_query.hpp"

namespace {

namespace domain = relais::domain;
namespace fuzz = relais::fuzz;
namespace sqlite = relais::storage::sqlite;

void check_round_trip(const std::string& cursor) {
  for (std::size_t n = 1; n <= 4; ++n) {
    auto values = sqlite::decode_cursor(cursor, n);
    if (!values.ok()) continue;
    auto again = sqlite::decode_cursor(sqlite::encode_cursor(values.value()), n);
    if (!again.ok() || again.value() != values.value()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string cursor(reinterpret_cast<const char*>(data), size);
  check_round_trip(cursor);

  domain::Services& services = fuzz::FuzzDatabase::get().services();
  struct Case {
    domain::RecordService* records;
    const char* sort;
    const char* q;
  };
  const Case cases[] = {
      {&services.contacts, "", ""},
      {&services.contacts, "last_name,-city", ""},
      {&services.contacts, "-created_at", ""},
      {&services.contacts, "", "hel"},
      {&services.contacts, "first_name", "lyon"},
      {&services.companies, "name", ""},
      {&services.activities, "-occurred_at", ""},
      {&services.users, "", ""},
  };
  for (const Case& c : cases) {
    domain::ListRequest request;
    request.cursor = cursor;
    request.sort = c.sort;
    request.q = c.q;
    request.limit = 1;
    fuzz::expect_no_internal(c.records->list(domain::Actor::system(), request));
    fuzz::expect_no_internal(c.records->list(fuzz::sales_actor(), request));
  }
  for (const char* entity : {"contact", "company"}) {
    fuzz::expect_no_internal(
        services.timeline->timeline(domain::Actor::system(), entity, 1, 1, cursor));
  }
  return 0;
}
