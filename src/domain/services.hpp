// Every domain service, wired to one Store. Built once by the app and passed by reference
// to the API layer, the CLI commands and the jobs.
#pragma once

#include <memory>
#include <string_view>

#include "domain/auth/auth_service.hpp"
#include "domain/auth/token_service.hpp"
#include "domain/records/record_service.hpp"
#include "domain/store.hpp"

namespace relais::domain {

class ContactMergeService;
class JobService;
class TimelineService;

struct Services {
  // `auth_options`: session expiries, the security event sink (see AuthOptions).
  explicit Services(Store& store, AuthOptions auth_options = {});
  ~Services();

  Store& store;
  // Resolved tokens, shared by `auth` and the user rules of `users` (declared before both).
  std::shared_ptr<SessionCache> session_cache;
  RecordService contacts;
  RecordService companies;
  RecordService pipelines;
  RecordService deals;
  RecordService activities;
  RecordService tasks;
  RecordService notes;
  RecordService users;
  RecordService teams;
  RecordService custom_fields;
  AuthService auth;
  TokenService tokens;
  std::unique_ptr<ContactMergeService> merge;
  std::unique_ptr<TimelineService> timeline;
  std::unique_ptr<JobService> jobs;

  // Makes `session_cache` follow the store's kAuth signals, so revocations and user changes
  // committed through any server apply here at once, not after the cache's TTL (decision
  // 0011). For processes that authenticate requests (`relais serve`); drop the Subscription
  // before these Services.
  Subscription follow_auth_signals();

  // The record service behind a URL segment ("contacts"), or nullptr.
  RecordService* by_plural(std::string_view plural);
};

}  // namespace relais::domain
