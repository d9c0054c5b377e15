// The job queue for administrators: GET /api/v1/jobs, GET /api/v1/jobs/{id},
// POST /api/v1/jobs/{id}/retry. Shapes in docs/DESIGN.md ("Jobs") and the OpenAPI document.
#include <charconv>
#include <string>

#include "api/handler_support.hpp"
#include "api/job_json.hpp"
#include "api/rendering.hpp"
#include "api/route_groups.hpp"
#include "domain/jobs/job_service.hpp"

namespace relais::api {
namespace {

Result<domain::JobListQuery> parse_job_query(const http::Request& request) {
  domain::JobListQuery query;
  if (auto status = request.query_param("status"); status && !status->empty()) {
    query.status = domain::parse_job_status(*status);
    if (!query.status) {
      return Error::field("status", "must be one of queued, running, done, failed, dead");
    }
  }
  query.kind = request.query_param("kind").value_or("");
  query.cursor = request.query_param("cursor").value_or("");
  if (auto limit = request.query_param("limit"); limit && !limit->empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() || value < 1 || value > 500) {
      return Error::field("limit", "must be an integer from 1 to 500");
    }
    query.limit = value;
  }
  return query;
}

}  // namespace

void register_job_routes(http::Router& router, domain::Services& services) {
  router.add("GET", "/api/v1/jobs",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               auto query = parse_job_query(r);
               if (!query.ok()) return http::Response::error(query.error());
               return render_or_error(services.jobs->list(a, *query),
                                      [](const domain::JobPage& page) {
                                        return http::Response::json(200, job_page_json(page));
                                      });
             }));
  router.add("GET", "/api/v1/jobs/{id}",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               auto id = parse_id(r.path_params["id"]);
               if (!id.ok()) return http::Response::error(id.error());
               return render_or_error(services.jobs->get(a, *id), [](const domain::Job& job) {
                 return http::Response::json(200, job_json(job));
               });
             }));
  router.add("POST", "/api/v1/jobs/{id}/retry",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               auto id = parse_id(r.path_params["id"]);
               if (!id.ok()) return http::Response::error(id.error());
               return render_or_error(services.jobs->retry(a, *id), [](const domain::Job& job) {
                 return http::Response::json(200, job_json(job));
               });
             }));
}

}  // namespace relais::api
