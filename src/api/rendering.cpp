#include "api/rendering.hpp"

namespace relais::api {

std::string etag_for(const Json& record) {
  if (!record.is_object()) return {};
  const auto version = record.find("version");
  if (version == record.end() || !version->is_number_integer()) return {};
  return "\"" + std::to_string(version->get<std::int64_t>()) + "\"";
}

http::Response record_response(int status, const Json& record) {
  http::Response response = http::Response::json(status, record);
  if (auto etag = etag_for(record); !etag.empty()) response.set_header("ETag", etag);
  return response;
}

Json page_json(const domain::Page& page) {
  Json data = Json::array();
  for (const auto& item : page.items) data.push_back(item);
  return Json{{"data", std::move(data)},
              {"next_cursor", page.next_cursor ? Json(*page.next_cursor) : Json(nullptr)}};
}

http::Response page_text_response(const domain::PageText& page) {
  http::Response response;
  response.status = 200;
  std::string& body = response.body;
  body.reserve(page.items_json.size() + 64);
  body += R"({"data":)";
  body += page.items_json;
  body += R"(,"next_cursor":)";
  body += page.next_cursor ? Json(*page.next_cursor).dump() : std::string("null");
  body.push_back('}');
  return response;
}

}  // namespace relais::api
