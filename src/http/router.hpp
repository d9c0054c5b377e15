// Routes "METHOD /pattern/{param}" to handlers. Handlers run on the database worker pool,
// never on the I/O threads, so they may block on the Store.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/request.hpp"

namespace relais::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // pattern: "/api/v1/contacts/{id}/timeline"; a {name} segment matches one path segment.
  void add(std::string method, std::string pattern, Handler handler);
  // 404 not_found when no pattern matches, 405 when the path matches with another method.
  Response dispatch(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace relais::http
