#include "domain/pipelines/pipeline_stages.hpp"

#include <gtest/gtest.h>

namespace relais::domain {
namespace {

TEST(Slugify, FoldsFrenchAccents) {
  EXPECT_EQ(slugify("Proposition envoyée"), "proposition_envoyee");
  EXPECT_EQ(slugify("  Négociation -- finale! "), "negociation_finale");
  EXPECT_EQ(slugify("Gagnée"), "gagnee");
  EXPECT_EQ(slugify("!!!"), "stage");
}

TEST(NormalizeStages, GeneratesIdsAndDefaults) {
  Json in = Json::parse(R"([
    {"name": "Qualification", "probability": 10},
    {"name": "Qualification"},
    {"name": "Gagnée", "kind": "won"},
    {"name": "Perdue", "kind": "lost"}
  ])");
  auto r = normalize_stages(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0]["id"], "qualification");
  EXPECT_EQ((*r)[0]["kind"], "open");
  EXPECT_EQ((*r)[1]["id"], "qualification_2");
  EXPECT_EQ((*r)[1]["probability"], 0);
  EXPECT_EQ((*r)[2]["probability"], 100);
  EXPECT_EQ((*r)[3]["id"], "perdue");
}

TEST(NormalizeStages, RejectsBadStages) {
  const char* bad[] = {
      R"([])",
      R"([{"name": "Won", "kind": "won"}])",  // no open stage
      R"([{"name": "A", "probability": 101}])",
      R"([{"name": "A", "probability": "10"}])",
      R"([{"name": "A", "kind": "pending"}])",
      R"([{"name": ""}])",
      R"([{"id": "a", "name": "A"}, {"id": "a", "name": "B"}])",
      R"([{"id": "Bad Id", "name": "A"}])",
      R"([{"name": "A", "colour": "red"}])",
      R"(["A"])",
  };
  for (const char* text : bad) {
    auto r = normalize_stages(Json::parse(text));
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kValidationFailed);
    EXPECT_TRUE(r.error().fields.count("stages")) << text;
  }
}

}  // namespace
}  // namespace relais::domain
