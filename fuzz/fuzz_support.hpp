// Shared by the fuzz targets that go as far as the SQLite engine: one real, migrated database
// in a temporary directory with a few records in it, and the services on top of it, exactly
// as `relais serve` builds them. Created on the first input and kept for the whole run
// (libFuzzer runs the inputs one after the other on one thread); the targets only read it,
// so every input sees the same data.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "domain/actor.hpp"
#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::fuzz {

// An internal error is what the server answers with 500: never acceptable for user input.
inline void expect_no_internal(const Error& error) {
  if (error.code != ErrorCode::kInternal) return;
  std::fprintf(stderr, "internal error (a 500 for this input): %s\n", error.message.c_str());
  std::abort();
}

template <class T>
void expect_no_internal(const Result<T>& result) {
  if (!result.ok()) expect_no_internal(result.error());
}

template <class T>
T must(Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "fuzz set-up failed (%s): %s\n", what, result.error().message.c_str());
    std::abort();
  }
  return std::move(result).value();
}

// A sales user of team 1 who owns nothing: lists then go through the visibility conditions.
inline domain::Actor sales_actor() { return domain::Actor{2, domain::Role::kSales, 1, "fr"}; }

class FuzzDatabase {
 public:
  static FuzzDatabase& get() {
    static FuzzDatabase* instance = new FuzzDatabase();  // never destroyed: outlives atexit
    return *instance;
  }
  domain::Services& services() { return *services_; }

 private:
  FuzzDatabase() {
    char pattern[] = "/tmp/relais-fuzz-XXXXXX";
    if (mkdtemp(pattern) == nullptr) std::abort();
    dir_ = pattern;
    std::atexit([] { std::filesystem::remove_all(get().dir_); });
    store_ = must(storage::open_store("sqlite:" + dir_ + "/fuzz.db"), "open the store");
    services_ = std::make_unique<domain::Services>(*store_);
    seed();
  }

  // Enough rows that a page of one has a next cursor, for every list the targets read.
  void seed() {
    const domain::Actor admin = domain::Actor::system();
    auto& s = *services_;
    const Json acme = must(
        s.companies.create(
            admin, {{"name", "Boulangerie Étoile"}, {"domain", "etoile.fr"}, {"city", "Lyon"}}),
        "company");
    must(s.companies.create(admin, {{"name", "Acme SARL"}, {"city", "Paris"}}), "company");
    for (const char* last : {"Dupont", "Lefèvre", "Ørsted"}) {
      must(s.contacts.create(admin, {{"first_name", "Hélène"},
                                     {"last_name", last},
                                     {"city", "Lyon"},
                                     {"tags", {"vip", "salon"}},
                                     {"company_id", acme["id"]}}),
           "contact");
    }
    must(s.activities.create(admin, {{"type", "call"}, {"subject", "Appel"}, {"contact_id", 1}}),
         "activity");
    must(s.notes.create(admin, {{"body", "Rappeler en janvier"}, {"contact_id", 1}}), "note");
  }

  std::string dir_;
  std::unique_ptr<domain::Store> store_;
  std::unique_ptr<domain::Services> services_;
};

}  // namespace relais::fuzz
