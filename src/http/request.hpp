// Protocol-level request/response values handed to handlers. Beast types stay inside
// http/server.cpp so the API layer and its tests never depend on them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/temp_file.hpp"
#include "http/event_stream.hpp"

namespace relais::http {

struct Request {
  std::string method;                              // upper case: GET, POST, PATCH, DELETE, ...
  std::string path;                                // percent-decoded, without the query string
  std::string target;                              // raw request target as received (for logs)
  std::multimap<std::string, std::string> query;   // percent-decoded
  std::map<std::string, std::string> headers;      // names lower-cased
  std::map<std::string, std::string> path_params;  // filled by the router: {id} -> "42"
  std::string body;
  std::string remote_address;

  // Filled by the API layer's authentication for the access log.
  std::int64_t user_id = 0;

  std::string header(std::string_view lower_case_name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  // When set, the body is this finished file, streamed from disk (large exports); `body` is
  // ignored. The file is deleted once the response has been sent or dropped.
  std::shared_ptr<const common::TempFile> body_file;
  // When set, the answer is a server-sent-events stream (http/event_stream.hpp): 200 with
  // `text/event-stream`, kept open and fed through the sink this opener receives; `body`,
  // `content_type` and `body_file` are ignored, `headers` are sent.
  StreamOpener event_stream;

  static Response json(int status, const Json& body);
  static Response error(const Error& error);  // status from error code, body {"error": {...}}
  static Response no_content();
  static Response stream(StreamOpener opener);
  void set_header(std::string name, std::string value);
};

// HTTP status for a domain error code (the one place where that mapping lives).
int status_for(ErrorCode code);

}  // namespace relais::http
