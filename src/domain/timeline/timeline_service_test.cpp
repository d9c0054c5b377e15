// TimelineService across teams, on a real store: a child (activity, note, task) shows on a
// contact's, company's or deal's timeline only if the actor would see it in its own list.
#include "domain/timeline/timeline_service.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "domain/testing/services_fixture.hpp"

namespace relais::domain {
namespace {

class TimelineServiceTest : public testing::TwoTeamsFixture {
 protected:
  void SetUp() override {
    TwoTeamsFixture::SetUp();
    alain_ = make_user("alain@example.fr", Role::kSales, lyon_);
    pipeline_ = make_pipeline();
  }

  std::int64_t pipeline_ = 0;
  Actor alain_;  // sales, Lyon
};

// A child shows on a timeline only if the actor would see it in the child's own list.
TEST_F(TimelineServiceTest, TimelinesShowOnlyChildrenTheActorCanList) {
  const Actor sys = Actor::system();
  // Unowned parents: every team reads them.
  const Json parents = {
      {"contact", must(services_->contacts.create(sys, {{"first_name", "Commun"}}))["id"]},
      {"company", must(services_->companies.create(sys, {{"name", "Commune"}}))["id"]},
      {"deal", must(services_->deals.create(
                   sys, {{"title", "Commun"}, {"pipeline_id", pipeline_}}))["id"]}};
  for (auto it = parents.begin(); it != parents.end(); ++it) {
    const std::string& entity = it.key();
    const Json& parent = it.value();
    SCOPED_TRACE(entity);
    const std::string link = entity + "_id";
    for (const Actor* who : {&alice_, &bob_}) {
      const std::string tag = who == &alice_ ? "lyon" : "paris";
      must(
          services_->activities.create(*who, {{"type", "call"}, {"subject", tag}, {link, parent}}));
      must(services_->notes.create(*who, {{"body", tag}, {link, parent}}));
      must(services_->tasks.create(*who, {{"title", tag}, {link, parent}}));
    }
    auto seen_by = [&](const Actor& actor) {
      Page page =
          must(services_->timeline->timeline(actor, entity, parent.get<std::int64_t>(), 100, ""));
      std::multiset<std::string> tags;
      for (const Json& item : page.items) {
        const std::string kind = item["kind"];
        if (kind == "activity") tags.insert("activity:" + item["subject"].get<std::string>());
        if (kind == "note") tags.insert("note:" + item["body"].get<std::string>());
        if (kind == "task") tags.insert("task:" + item["title"].get<std::string>());
      }
      return tags;
    };
    using Tags = std::multiset<std::string>;
    EXPECT_EQ(seen_by(alice_), (Tags{"activity:lyon", "note:lyon", "task:lyon"}));
    EXPECT_EQ(seen_by(alain_), (Tags{"activity:lyon", "note:lyon", "task:lyon"}));
    EXPECT_EQ(seen_by(bob_), (Tags{"activity:paris", "note:paris", "task:paris"}));
    EXPECT_EQ(seen_by(sys).size(), 6u);
    // The same rule as the lists: what the timeline shows is what the list shows.
    for (const Actor* who : {&alice_, &bob_}) {
      ListRequest linked;
      linked.filter = link + " = " + parent.dump();
      EXPECT_EQ(must(services_->notes.list(*who, linked)).items.size(), 1u);
      EXPECT_EQ(must(services_->tasks.list(*who, linked)).items.size(), 1u);
    }
  }
}

}  // namespace
}  // namespace relais::domain
