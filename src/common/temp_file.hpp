// A private file in the system temporary directory, deleted when its last owner lets go.
// Used to hand large generated bodies (CSV exports) to the HTTP layer without holding them
// in memory: the handler writes the file, the server streams it from disk, and the file is
// removed whatever happens to the connection in between.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace relais::common {

class TempFile {
 public:
  // Creates "<tmp>/<prefix>XXXXXX" with mode 0600, open for writing.
  static Result<std::shared_ptr<TempFile>> create(std::string_view prefix);

  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  const std::string& path() const { return path_; }
  // Appends bytes; a failure is remembered and reported by finish().
  void write(std::string_view bytes);
  // Flushes and closes the file; kInternal when any write or the flush failed (disk full).
  Result<void> finish();

 private:
  TempFile(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

  std::string path_;
  std::FILE* file_ = nullptr;
  bool failed_ = false;
};

}  // namespace relais::common
