#include "http/static_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <system_error>

namespace relais::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

std::optional<std::string> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return data;
}

bool is_regular(const fs::path& file) {
  std::error_code ec;
  return fs::is_regular_file(file, ec);
}

// True when the client listed gzip without q=0.
bool accepts_gzip(std::string_view accept_encoding) {
  std::size_t pos = 0;
  while (pos < accept_encoding.size()) {
    std::size_t comma = accept_encoding.find(',', pos);
    std::string_view item = accept_encoding.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? accept_encoding.size() : comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    std::string_view name = item.substr(0, item.find(';'));
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != "gzip" && name != "*") continue;
    std::string params(item.substr(name.size()));
    params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
    if (params == ";q=0" || params == ";q=0.0" || params == ";q=0.00" || params == ";q=0.000") {
      continue;
    }
    return true;
  }
  return false;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  std::size_t pos = 0;
  while (pos < if_none_match.size()) {
    std::size_t comma = if_none_match.find(',', pos);
    std::string_view item = if_none_match.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? if_none_match.size() : comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);  // weak comparison for GET
    if (item == "*" || item == etag) return true;
  }
  return false;
}

std::string etag_for(const fs::path& file, bool gzip) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  auto mtime = fs::last_write_time(file, ec);
  // The file clock's epoch may lie after 1970: print the raw ticks as unsigned.
  auto ticks = static_cast<unsigned long long>(mtime.time_since_epoch().count());
  return fmt::format("\"{:x}-{:x}{}\"", static_cast<unsigned long long>(size), ticks,
                     gzip ? "-gz" : "");
}

Response plain_error(const Error& error) { return Response::error(error); }

}  // namespace

std::string content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".avif", "image/avif"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".otf", "font/otf"},
      {".txt", "text/plain; charset=utf-8"},
      {".xml", "application/xml"},
      {".wasm", "application/wasm"},
      {".pdf", "application/pdf"},
  };
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(root, ec);
  root_ = ec ? std::move(root) : std::move(canonical);
}

Response StaticFiles::serve(const Request& request) const {
  // Lexical check first: no "." or ".." segment, no backslash, no NUL. The path is already
  // percent-decoded, so "%2e%2e" is caught here too.
  std::string_view path = request.path;
  fs::path relative;
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string_view segment =
        path.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
    pos = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
    if (segment.empty()) continue;
    if (segment == "." || segment == ".." || segment.find('\\') != std::string_view::npos ||
        segment.find('\0') != std::string_view::npos) {
      return plain_error(Error::bad_request("invalid path"));
    }
    relative /= fs::path(std::string(segment));
  }

  const bool is_asset = path.rfind("/assets/", 0) == 0;
  if (!relative.empty()) {
    fs::path file = root_ / relative;
    if (is_regular(file)) {
      // Symlinks must not lead outside the root.
      std::error_code ec;
      fs::path resolved = fs::canonical(file, ec);
      auto [root_end, unused] =
          std::mismatch(root_.begin(), root_.end(), resolved.begin(), resolved.end());
      if (ec || root_end != root_.end()) return plain_error(Error::not_found("file not found"));
      return serve_file(request, resolved, is_asset ? kImmutable : kRevalidate);
    }
    if (is_asset) return plain_error(Error::not_found("file not found"));
  }
  fs::path index = root_ / "index.html";
  if (!is_regular(index)) return plain_error(Error::not_found("file not found"));
  return serve_file(request, index, kRevalidate);
}

Response StaticFiles::serve_file(const Request& request, const fs::path& file,
                                 std::string_view cache_control) const {
  fs::path gz_file = file;
  gz_file += ".gz";
  const bool has_gz = is_regular(gz_file);
  const bool use_gz = has_gz && accepts_gzip(request.header("accept-encoding"));
  const fs::path& source = use_gz ? gz_file : file;

  Response response;
  response.content_type = content_type_for(file);
  const std::string etag = etag_for(source, use_gz);
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", std::string(cache_control));
  if (has_gz) response.set_header("Vary", "Accept-Encoding");

  if (etag_matches(request.header("if-none-match"), etag)) {
    response.status = 304;
    return response;
  }
  std::optional<std::string> data = read_file(source);
  if (!data) return plain_error(Error::not_found("file not found"));
  if (use_gz) response.set_header("Content-Encoding", "gzip");
  response.body = std::move(*data);
  return response;
}

}  // namespace relais::http
