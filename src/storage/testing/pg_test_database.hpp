// Test support: databases on the PostgreSQL test cluster named by the environment variable
// RELAIS_TEST_PG_URL (a base URL as scripts/pg-cluster prints it, e.g.
// "postgresql:///?host=/tmp/relais-pg&user=postgres"). scripts/test and the CTest fixture
// start that cluster; a test that needs it fails with a clear message when it is not set —
// never a silent skip.
#pragma once

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

#include "storage/postgres/pg_connection.hpp"

namespace relais::storage::testing {

// The cluster's base URL; throws when RELAIS_TEST_PG_URL is unset or malformed.
inline std::string pg_test_base_url() {
  const char* url = std::getenv("RELAIS_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "RELAIS_TEST_PG_URL is not set: run the tests with scripts/test or ctest (which start a "
        "PostgreSQL test cluster), or start one with `scripts/pg-cluster start DIR` and export "
        "the URL it prints");
  }
  return url;
}

// The URL of database `name` on the cluster: the name goes after the authority's slash.
inline std::string pg_database_url(const std::string& base, const std::string& name) {
  const auto query = base.find('?');
  std::string head = base.substr(0, query);
  const std::string tail = query == std::string::npos ? "" : base.substr(query);
  const auto authority_end = head.find('/', head.find("//") + 2);
  head = authority_end == std::string::npos ? head + "/" : head.substr(0, authority_end + 1);
  return head + name + tail;
}

// A database name from any text (a test directory path): "relais_t_" and a hex hash.
inline std::string pg_database_name_for(const std::string& key) {
  return "relais_t_" + std::to_string(std::hash<std::string>{}(key) % 1000000000000ULL);
}

// Creates database `name` if missing; drops it. Through the cluster's "postgres" database.
inline void pg_create_database(const std::string& name) {
  postgres::PgConnection admin(pg_database_url(pg_test_base_url(), "postgres"));
  auto exists = admin.query("SELECT 1 FROM pg_database WHERE datname = $1", {name});
  if (exists.rows() == 0) admin.exec("CREATE DATABASE \"" + name + "\"");
}
inline void pg_drop_database(const std::string& name) {
  postgres::PgConnection admin(pg_database_url(pg_test_base_url(), "postgres"));
  admin.exec("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
}

}  // namespace relais::storage::testing
