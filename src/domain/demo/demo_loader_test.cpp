#include "domain/demo/demo_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "domain/services.hpp"
#include "storage/open.hpp"

namespace relais::domain::demo {
namespace {

namespace fs = std::filesystem;

std::int64_t count(Store& store, const EntitySchema& schema) {
  auto n = store.read([&](Transaction& tx) -> Result<Json> {
    RELAIS_ASSIGN_OR_RETURN(std::int64_t c, tx.count(schema, ListQuery{}));
    return Json(c);
  });
  return n.ok() ? n->get<std::int64_t>() : -1;
}

TEST(DemoLoader, LoadsOnceAndSignsIn) {
  fs::path dir = fs::temp_directory_path() / ("relais-demo-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    auto store = storage::open_store("sqlite:" + (dir / "demo.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    Services services(**store);
    DemoOptions small;
    small.companies = 20;
    small.contacts = 60;
    small.deals = 30;
    small.activities = 50;
    small.tasks = 20;
    small.batch_size = 16;
    auto first = load_demo(services, small);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_FALSE(first->already_present);
    EXPECT_EQ(count(**store, contact_schema()), 60);
    EXPECT_EQ(count(**store, deal_schema()), 30);
    EXPECT_EQ(count(**store, company_schema()), 20);
    EXPECT_EQ(count(**store, task_schema()), 20);
    EXPECT_EQ(count(**store, user_schema()), 8);

    auto second = load_demo(services, small);
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->already_present);
    EXPECT_EQ(count(**store, contact_schema()), 60);

    auto login = services.auth.login(kDemoAdminEmail, kDemoPassword, "127.0.0.1");
    EXPECT_TRUE(login.ok()) << login.error().message;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace relais::domain::demo
