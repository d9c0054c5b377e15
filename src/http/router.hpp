// Routes "METHOD /pattern/{param}" to handlers. Handlers run on the database worker pool,
// never on the I/O threads, so they may block on the Store.
//
// Threading: add() is called while wiring the app, before the server starts; afterwards the
// router is read-only and match()/dispatch() may be called from any number of threads.
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

  struct Match {
    const Handler* handler = nullptr;          // null when no route for this method
    std::vector<std::string> allowed_methods;  // when the path exists with other methods
  };
  // Finds the handler for request.method + request.path and fills request.path_params.
  // When several patterns match, the one with fewest {param} segments wins (so
  // "/contacts/merge" beats "/contacts/{id}"); ties go to the first registered.
  Match match(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// 405 with an Allow header listing `allowed` (sorted, deduplicated).
Response method_not_allowed(const std::vector<std::string>& allowed);

}  // namespace relais::http
