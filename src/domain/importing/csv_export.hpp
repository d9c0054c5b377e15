// CSV export of one record type, streamed page by page through RecordService::list, so the
// actor's visibility rules, the ?filter= language and the ?q= search apply and no more than one
// page of records is in memory at a time. Output: UTF-8 (no BOM), ',' separator, CRLF line ends, a
// header of schema field names; lists joined with ", ", objects as JSON text; formula cells guarded
// (see common/csv.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "domain/actor.hpp"

namespace relais::domain {
struct Services;
}

namespace relais::domain::importing {

// Record types that may be exported (EntitySchema::exportable), by plural.
bool is_exportable(std::string_view plural);
// Their plurals, in all_schemas() order: "contacts, companies, deals, activities, tasks".
std::string exportable_plurals(std::string_view separator = ", ");

struct ExportStats {
  std::size_t rows = 0;
};

// Which records: the list endpoint's ?filter= and ?q= (full-text search), both optional.
struct ExportSelection {
  std::string filter;
  std::string q;
};

// Calls `sink` with chunks of CSV text (the header first). kNotFound for a type that cannot
// be exported; filter errors as the list endpoint reports them (before anything is written).
Result<ExportStats> export_csv(Services& services, const Actor& actor, std::string_view plural,
                               const ExportSelection& selection,
                               const std::function<void(std::string_view)>& sink);

}  // namespace relais::domain::importing
