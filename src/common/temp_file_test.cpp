#include "common/temp_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace relais::common {
namespace {

TEST(TempFile, WritesPrivatelyAndIsRemovedWithItsLastOwner) {
  auto created = TempFile::create("relais-test-");
  ASSERT_TRUE(created.ok()) << created.error().message;
  std::shared_ptr<TempFile> file = std::move(created).value();
  const std::string path = file->path();
  file->write("id,name\r\n");
  file->write("1,Hélène\r\n");
  ASSERT_TRUE(file->finish().ok());

  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "id,name\r\n1,Hélène\r\n");

  std::shared_ptr<TempFile> second_owner = file;
  file.reset();
  EXPECT_TRUE(std::filesystem::exists(path));
  second_owner.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace relais::common
