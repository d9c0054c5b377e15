// OpenAPI description of the job queue routes (job_routes.cpp, job_stream_routes.cpp), shapes
// from job_json.cpp.
#include "api/openapi_support.hpp"

namespace relais::api {
namespace {

Json nullable_time() { return Json{{"type", {"string", "null"}}, {"format", "date-time"}}; }

Json job_schema() {
  return Json{
      {"type", "object"},
      {"required",
       {"id", "kind", "status", "attempts", "max_attempts", "run_at", "progress", "last_error"}},
      {"additionalProperties", false},
      {"properties",
       {{"id", {{"type", "integer"}}},
        {"kind", {{"type", "string"}, {"description", "what the job does, e.g. outbox.prune"}}},
        {"status",
         {{"type", "string"},
          {"enum", {"queued", "running", "done", "failed", "dead"}},
          {"description",
           "failed: the last attempt failed and the job runs again at run_at; dead: its "
           "attempts are used up (the dead-letter queue), POST .../retry runs it again"}}},
        {"attempts", {{"type", "integer"}, {"minimum", 0}}},
        {"max_attempts", {{"type", "integer"}, {"minimum", 1}}},
        {"run_at",
         {{"type", "string"},
          {"format", "date-time"},
          {"description", "when the job is (or was) due"}}},
        {"progress",
         {{"type", {"object", "null"}},
          {"required", {"done", "total"}},
          {"properties",
           {{"done", {{"type", "integer"}}},
            {"total", {{"type", "integer"}, {"description", "0 when unknown"}}}}}}},
        {"last_error", {{"type", {"string", "null"}}}},
        {"payload", {{"type", "object"}}},
        {"result", {{"description", "what the job returned when done, else null"}}},
        {"lease_until", nullable_time()},
        {"created_at", {{"type", "string"}, {"format", "date-time"}}},
        {"updated_at", {{"type", "string"}, {"format", "date-time"}}},
        {"finished_at", nullable_time()}}}};
}

}  // namespace

void add_job_schemas(Json& schemas) {
  schemas["Job"] = job_schema();
  schemas["JobPage"] = page_schema(schema_ref("Job"));
}

void add_job_paths(Json& paths) {
  Json list = operation("list_jobs", "List background jobs, newest first (admins)", "jobs");
  list["parameters"] = Json::array(
      {{{"name", "status"},
        {"in", "query"},
        {"schema",
         {{"type", "string"}, {"enum", {"queued", "running", "done", "failed", "dead"}}}}},
       {{"name", "kind"}, {"in", "query"}, {"schema", {{"type", "string"}}}},
       param_ref("limit"),
       param_ref("cursor")});
  list["responses"]["200"] = json_response("one page", schema_ref("JobPage"));
  add_errors(list, kAuthErrors);
  add_errors(list, {ErrorCode::kValidationFailed});
  paths["/api/v1/jobs"]["get"] = std::move(list);

  Json stream = operation("stream_jobs", "Server-sent events of job changes (admins)", "jobs");
  stream["description"] =
      "A `text/event-stream` (WHATWG HTML server-sent events) that stays open. First `event: "
      "ready` with `data: {}`, its `id` the place the stream starts after; then one `event: "
      "job` per change of a job's status or progress (enqueued, claimed, progress, done, "
      "failed, dead, retried), `data` the job as GET /api/v1/jobs/{id} returns it (schema Job), "
      "`id` the change's place (opaque). A job changed several times between two looks is sent "
      "once, as it is now. Changes made by any server or worker sharing the database appear "
      "(within about 250 ms). Reconnecting with the `Last-Event-ID` header resumes after that "
      "id without losing a change. A comment line (`: heartbeat`) is sent after 15 s without "
      "an event; the server ends a stream after 15 minutes (clients reconnect, and are "
      "authenticated again), and answers 503 when too many streams are open.";
  stream["parameters"] =
      Json::array({{{"name", "kind"},
                    {"in", "query"},
                    {"description", "only jobs of this kind"},
                    {"schema", {{"type", "string"}}}},
                   {{"name", "id"},
                    {"in", "query"},
                    {"description", "only this job"},
                    {"schema", {{"type", "integer"}, {"minimum", 1}}}},
                   {{"name", "Last-Event-ID"},
                    {"in", "header"},
                    {"description", "the id of the last event received: resume after it"},
                    {"schema", {{"type", "string"}}}}});
  stream["responses"]["200"] =
      Json{{"description", "the event stream"},
           {"content",
            {{"text/event-stream",
              {{"schema",
                {{"type", "string"},
                 {"description",
                  "id:, event: (ready | job) and data: lines, one JSON Job per "
                  "job event"}}}}}}}};
  add_errors(stream, kAuthErrors);
  add_errors(stream, {ErrorCode::kBadRequest, ErrorCode::kValidationFailed});
  stream["responses"]["503"] = {{"$ref", "#/components/responses/Error"}};  // too many streams
  paths["/api/v1/jobs/stream"]["get"] = std::move(stream);

  Json get = operation("get_job", "One job with its progress and last error (admins)", "jobs");
  get["parameters"] = Json::array({param_ref("id")});
  get["responses"]["200"] = json_response("the job", schema_ref("Job"));
  add_errors(get, kAuthErrors);
  add_errors(get, {ErrorCode::kNotFound});
  paths["/api/v1/jobs/{id}"]["get"] = std::move(get);

  Json retry = operation("retry_job", "Run a failed or dead job again now (admins)", "jobs");
  retry["parameters"] = Json::array({param_ref("id")});
  retry["responses"]["200"] = json_response("the job, queued", schema_ref("Job"));
  add_errors(retry, kAuthErrors);
  add_errors(retry, {ErrorCode::kNotFound, ErrorCode::kConflict});
  paths["/api/v1/jobs/{id}/retry"]["post"] = std::move(retry);
}

}  // namespace relais::api
