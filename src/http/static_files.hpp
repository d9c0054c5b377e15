// Serves the built web UI (web/dist) with SPA fallback: a path that is not a file gets
// index.html, so client-side routes survive a reload. Blocking file I/O: call it from the
// worker pool, never from an I/O thread.
//
// Threading: immutable after construction; serve() may run on many threads at once.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace relais::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // GET of request.path: the file (or its .gz twin when the client accepts gzip), index.html
  // as the SPA fallback, 304 when If-None-Match matches, 400 for traversal attempts, 404 for
  // a missing file under /assets/ (a script URL must never get HTML back).
  Response serve(const Request& request) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  Response serve_file(const Request& request, const std::filesystem::path& file,
                      std::string_view cache_control) const;

  std::filesystem::path root_;  // canonical
};

// "text/html; charset=utf-8" for "index.html"; application/octet-stream when unknown.
std::string content_type_for(const std::filesystem::path& file);

}  // namespace relais::http
