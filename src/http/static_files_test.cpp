#include "http/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/testing/test_directory.hpp"

namespace relais::http {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "web" / "assets");
    write(dir_ / "web" / "index.html", "<!doctype html><title>Relais</title>");
    write(dir_ / "web" / "assets" / "app.js", "console.log('plain')");
    write(dir_ / "web" / "assets" / "app.js.gz", "GZIPPED");
    write(dir_ / "web" / "logo.svg", "<svg/>");
    write(dir_ / "secret.txt", "top secret");
  }

  static void write(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::binary) << text;
  }
  static std::string header(const Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }
  Response get(const std::string& path, std::map<std::string, std::string> headers = {}) {
    Request request;
    request.method = "GET";
    request.path = path;
    request.headers = std::move(headers);
    return StaticFiles(dir_ / "web").serve(request);
  }

  relais::testing::TestDirectory dir_{"relais-static"};
};

TEST_F(StaticFilesTest, ServesIndexForRootAndSpaRoutes) {
  for (const char* path : {"/", "/contacts/42", "/deals"}) {
    Response response = get(path);
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, "<!doctype html><title>Relais</title>") << path;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(header(response, "Cache-Control"), "no-cache");
  }
}

TEST_F(StaticFilesTest, ServesAssetsImmutableWithContentType) {
  Response response = get("/assets/app.js");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "console.log('plain')");
  EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(response, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(response, "Vary"), "Accept-Encoding");
  EXPECT_EQ(header(response, "Content-Encoding"), "");
  EXPECT_EQ(get("/logo.svg").content_type, "image/svg+xml");
}

TEST_F(StaticFilesTest, ServesGzipTwinWhenAccepted) {
  Response response = get("/assets/app.js", {{"accept-encoding", "br, gzip;q=0.8"}});
  EXPECT_EQ(response.body, "GZIPPED");
  EXPECT_EQ(header(response, "Content-Encoding"), "gzip");
  EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
  Response refused = get("/assets/app.js", {{"accept-encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.body, "console.log('plain')");
}

TEST_F(StaticFilesTest, EtagRevalidationGives304) {
  Response first = get("/assets/app.js");
  std::string etag = header(first, "ETag");
  ASSERT_FALSE(etag.empty());
  Response again = get("/assets/app.js", {{"if-none-match", "\"other\", " + etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  Response gz = get("/assets/app.js", {{"if-none-match", etag}, {"accept-encoding", "gzip"}});
  EXPECT_EQ(gz.status, 200);  // a different representation has a different tag
}

TEST_F(StaticFilesTest, RefusesTraversal) {
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/./index.html", "/a\\..\\secret.txt"}) {
    Response response = get(path);
    EXPECT_EQ(response.status, 400) << path;
    EXPECT_EQ(response.body.find("top secret"), std::string::npos) << path;
  }
}

TEST_F(StaticFilesTest, RefusesSymlinkOutOfRoot) {
  fs::create_symlink(dir_ / "secret.txt", dir_ / "web" / "leak.txt");
  Response response = get("/leak.txt");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body.find("top secret"), std::string::npos);
}

TEST_F(StaticFilesTest, MissingAssetIs404NotHtml) {
  Response response = get("/assets/missing.js");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
}

}  // namespace
}  // namespace relais::http
