// Running PostgreSQL's client programs (pg_dump, pg_restore) on a database URL.
//
// The URL is split with libpq's own parser (PQconninfoParse): the password, if any, goes to
// the child's environment as PGPASSWORD (readable only by the same user, unlike a command
// line), everything else to --dbname as a keyword=value string. The program runs without a
// shell (posix_spawnp with an argument vector), so nothing in the URL is ever interpreted.
// The password appears in no message.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"

namespace relais::storage::postgres {

struct ToolConnection {
  std::string conninfo;  // keyword=value pairs, password removed
  std::string password;  // empty when the URL has none
};

// kBadRequest when libpq cannot parse the URL.
Result<ToolConnection> tool_connection(const std::string& url);

struct ToolRun {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error (trimmed to its last few KiB)
};

// Runs `program` (looked up in PATH) with `args`, the connection's password in its
// environment, and waits for it. kInternal when it cannot be started.
Result<ToolRun> run_tool(const std::string& program, const std::vector<std::string>& args,
                         const ToolConnection& connection);

}  // namespace relais::storage::postgres
