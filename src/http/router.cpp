#include "http/router.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace relais::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of {param} segments when the pattern matches, or -1.
int match_segments(const std::vector<std::string>& pattern,
                   const std::vector<std::string_view>& path) {
  if (pattern.size() != path.size()) return -1;
  int params = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (path[i].empty()) return -1;
      ++params;
    } else if (pattern[i] != path[i]) {
      return -1;
    }
  }
  return params;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  std::vector<std::string> segments;
  for (std::string_view segment : split_path(pattern)) segments.emplace_back(segment);
  routes_.push_back(Route{std::move(method), std::move(segments), std::move(handler)});
}

Router::Match Router::match(Request& request) const {
  const std::vector<std::string_view> path = split_path(request.path);
  const Route* best = nullptr;
  int best_params = std::numeric_limits<int>::max();
  Match result;
  for (const Route& route : routes_) {
    int params = match_segments(route.segments, path);
    if (params < 0) continue;
    if (route.method != request.method) {
      result.allowed_methods.push_back(route.method);
      continue;
    }
    if (params < best_params) {
      best = &route;
      best_params = params;
    }
  }
  if (best == nullptr) return result;

  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (is_param(segment)) {
      request.path_params[segment.substr(1, segment.size() - 2)] = std::string(path[i]);
    }
  }
  result.handler = &best->handler;
  result.allowed_methods.clear();
  return result;
}

Response Router::dispatch(Request& request) const {
  Match found = match(request);
  if (found.handler != nullptr) return (*found.handler)(request);
  if (!found.allowed_methods.empty()) return method_not_allowed(found.allowed_methods);
  return Response::error(Error::not_found("no route for " + request.method + " " + request.path));
}

Response method_not_allowed(const std::vector<std::string>& allowed) {
  std::vector<std::string> methods = allowed;
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const std::string& method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  Response response = Response::json(
      405,
      Json{{"error",
            {{"code", "method_not_allowed"}, {"message", "method not allowed; use " + allow}}}});
  response.set_header("Allow", allow);
  return response;
}

}  // namespace relais::http
