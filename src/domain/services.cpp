#include "domain/services.hpp"

#include <utility>

#include "domain/contacts/contact_merge_service.hpp"
#include "domain/jobs/job_service.hpp"
#include "domain/records/rule_factories.hpp"
#include "domain/timeline/timeline_service.hpp"

namespace relais::domain {

Services::Services(Store& s, AuthOptions auth_options)
    : store(s),
      session_cache(std::make_shared<SessionCache>()),
      contacts(s, contact_schema(), make_contact_rules()),
      companies(s, company_schema(), make_company_rules()),
      pipelines(s, pipeline_schema(), make_pipeline_rules()),
      deals(s, deal_schema(), make_deal_rules()),
      activities(s, activity_schema(), make_activity_rules()),
      tasks(s, task_schema(), make_task_rules()),
      notes(s, note_schema(), make_note_rules()),
      users(s, user_schema(), make_user_rules(session_cache)),
      teams(s, team_schema(), make_team_rules()),
      custom_fields(s, custom_field_schema(), make_custom_field_rules()),
      auth(s, session_cache, std::move(auth_options)),
      tokens(s, session_cache),
      merge(std::make_unique<ContactMergeService>(s, contacts)),
      timeline(std::make_unique<TimelineService>(s)),
      jobs(std::make_unique<JobService>(s)) {}

Services::~Services() = default;

Subscription Services::follow_auth_signals() {
  return store.subscribe(Topic::kAuth,
                         [cache = session_cache](const Signal& signal) { cache->apply(signal); });
}

RecordService* Services::by_plural(std::string_view plural) {
  for (RecordService* service : {&contacts, &companies, &pipelines, &deals, &activities, &tasks,
                                 &notes, &users, &teams, &custom_fields}) {
    if (service->schema().plural == plural) return service;
  }
  return nullptr;
}

}  // namespace relais::domain
