// The 360° timeline of one contact, company or deal on PostgreSQL: the same items, order and
// cursors as the SQLite engine (storage/sqlite/timeline.cpp).
#pragma once

#include "common/result.hpp"
#include "domain/store.hpp"
#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::postgres {

Result<domain::Page> read_timeline(PgConnection& db, const domain::TimelineQuery& query);

}  // namespace relais::storage::postgres
