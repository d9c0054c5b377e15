// Test support: a real SQLite store in a fresh temporary directory, named after the running
// test, removed again on destruction. Used by tests of the layers above storage, which run
// their services on the real engine rather than a mock.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "common/testing/test_directory.hpp"
#include "domain/store.hpp"
#include "storage/open.hpp"

namespace relais::storage::testing {

class TempDatabase {
 public:
  explicit TempDatabase(const std::string& prefix) : dir_(prefix) {
    auto store = open_store("sqlite:" + path());
    if (!store.ok()) throw std::runtime_error("cannot open test store: " + store.error().message);
    store_ = std::move(*store);
  }
  ~TempDatabase() {
    store_.reset();  // close the database before dir_ deletes its files
  }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  std::string path() const { return (dir_ / "relais.db").string(); }
  domain::Store& store() { return *store_; }

 private:
  relais::testing::TestDirectory dir_;
  std::unique_ptr<domain::Store> store_;
};

}  // namespace relais::storage::testing
