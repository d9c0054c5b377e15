// JSON shapes shared by the API handlers: a record with its ETag, a page of a list.
#pragma once

#include <string>

#include "common/result.hpp"
#include "domain/store.hpp"
#include "http/request.hpp"

namespace relais::api {

// "\"<version>\"" for a record carrying an integer version, empty otherwise.
std::string etag_for(const Json& record);

// `status` + the record as body + its ETag.
http::Response record_response(int status, const Json& record);

// {"data": [...], "next_cursor": "..." | null}
Json page_json(const domain::Page& page);
// The same shape from a page already written as text: a 200 whose body is never a DOM.
http::Response page_text_response(const domain::PageText& page);

// Renders a Result: the value through `render`, an error through Response::error.
template <class T, class Render>
http::Response render_or_error(Result<T> result, Render render) {
  if (!result.ok()) return http::Response::error(result.error());
  return render(result.value());
}

}  // namespace relais::api
