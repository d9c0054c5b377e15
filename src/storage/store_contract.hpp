// The storage contract suite: tests written against domain::Store only, run against every
// engine. An engine joins by instantiating the suite with its factory, e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(sqlite_engine()));
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "common/testing/test_directory.hpp"
#include "domain/store.hpp"

namespace relais::storage::testing {

struct StoreEngine {
  std::string name;
  // Opens the engine's database kept in `dir` (created on first open, reopened after).
  std::function<Result<std::unique_ptr<domain::Store>>(const std::filesystem::path& dir)> open;
  // Removes what open() created outside `dir` (a server engine's database); may be empty.
  std::function<void(const std::filesystem::path& dir)> drop;
};

// How GoogleTest prints an engine in test names and messages (not as a byte dump).
inline void PrintTo(const StoreEngine& engine, std::ostream* os) { *os << engine.name; }

inline std::string engine_name(const ::testing::TestParamInfo<StoreEngine>& info) {
  return info.param.name;
}

class StoreContractTest : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Closes and reopens the store on the same database.
  void reopen();

  // Runs a write/read that must succeed; fails the test otherwise.
  Json write(const domain::UnitOfWork& work);
  Json read(const domain::UnitOfWork& work);
  // Reads again, for up to 10 s, until `ready` holds in the unit's snapshot, then runs `work`
  // in that same unit. For what a later unit may show late but never lose: on PostgreSQL a
  // transaction of another database on the cluster, ending just as a reader looks, holds the
  // outbox and job-change horizon back for a moment (0004_jobs.sql).
  Json read_once_settled(const std::function<bool(domain::Transaction&)>& ready,
                         const domain::UnitOfWork& work);

  std::unique_ptr<relais::testing::TestDirectory> dir_;
  std::unique_ptr<domain::Store> store_;
};

}  // namespace relais::storage::testing
