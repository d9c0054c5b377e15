#include "common/temp_file.hpp"

#include <stdlib.h>  // mkstemp
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace relais::common {

Result<std::shared_ptr<TempFile>> TempFile::create(std::string_view prefix) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Error::internal("no temporary directory: " + ec.message());
  std::string pattern = (dir / (std::string(prefix) + "XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());  // creates the file 0600, so no other user reads it
  if (fd < 0)
    return Error::internal(std::string("cannot create a temporary file: ") + std::strerror(errno));
  std::FILE* file = ::fdopen(fd, "wb");
  if (file == nullptr) {
    ::close(fd);
    ::unlink(name.data());
    return Error::internal("cannot open a temporary file");
  }
  return std::shared_ptr<TempFile>(new TempFile(name.data(), file));
}

TempFile::~TempFile() {
  if (file_ != nullptr) std::fclose(file_);
  ::unlink(path_.c_str());
}

void TempFile::write(std::string_view bytes) {
  if (file_ == nullptr || failed_ || bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
}

Result<void> TempFile::finish() {
  if (file_ != nullptr) {
    if (std::fclose(file_) != 0) failed_ = true;
    file_ = nullptr;
  }
  if (failed_) return Error::internal("could not write the temporary file (disk full?)");
  return {};
}

}  // namespace relais::common
