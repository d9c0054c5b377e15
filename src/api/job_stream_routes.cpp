// GET /api/v1/jobs/stream: server-sent events of job changes for admins (docs/DESIGN.md,
// "Jobs"). The handler checks the caller and the parameters on a worker thread and answers
// with an event stream; from then on the process's job change feed (one poller, whatever the
// number of streams) sends into it from its own thread.
//
// Events: `event: ready` (data {}) once, first, with the position the stream starts after as
// its id; then `event: job`, data = the job as GET /api/v1/jobs/{id} shows it, id = the
// position of that change. A client reconnecting with Last-Event-ID misses nothing: it gets
// every job changed since, in its current state.
#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "api/handler_support.hpp"
#include "api/job_json.hpp"
#include "api/route_groups.hpp"
#include "domain/jobs/job_service.hpp"

namespace relais::api {
namespace {

bool parse_int64(std::string_view text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// One stream's end of the feed: filters, renders, sends. Called on the feed's thread.
class JobStreamListener final : public domain::JobChangeListener {
 public:
  JobStreamListener(std::shared_ptr<http::EventSink> sink, std::string kind, std::int64_t id)
      : sink_(std::move(sink)), kind_(std::move(kind)), id_(id) {}

  bool on_start(domain::JobChangePosition position) override {
    return sink_->send({job_change_id(position), "ready", "{}"});
  }

  bool on_changes(const std::vector<domain::JobChange>& changes) override {
    for (const auto& change : changes) {
      if (!kind_.empty() && change.job.kind != kind_) continue;
      if (id_ != 0 && change.job.id != id_) continue;
      if (!sink_->send({job_change_id(change.position), "job", job_json(change.job).dump()})) {
        return false;
      }
    }
    return sink_->is_open();
  }

  bool alive() const override { return sink_->is_open(); }

 private:
  std::shared_ptr<http::EventSink> sink_;
  const std::string kind_;
  const std::int64_t id_;
};

}  // namespace

void register_job_stream_routes(http::Router& router, domain::Services& services) {
  router.add("GET", "/api/v1/jobs/stream",
             authenticated(services, [&services](http::Request& r, const domain::Actor& a) {
               std::int64_t id = 0;
               if (auto text = r.query_param("id"); text && !text->empty()) {
                 if (!parse_int64(*text, id) || id == 0) {
                   return http::Response::error(
                       Error::field("id", "must be a job id (a positive integer)"));
                 }
               }
               std::string kind = r.query_param("kind").value_or("");
               std::optional<domain::JobChangePosition> after;
               if (std::string last = r.header("last-event-id"); !last.empty()) {
                 after = parse_job_change_id(last);
                 if (!after) {
                   return http::Response::error(
                       Error::bad_request("Last-Event-ID is not an id this stream sent"));
                 }
               }
               // Checked here, where a 403 can still be answered; the subscription itself
               // happens once the stream is open.
               domain::JobService& jobs = *services.jobs;
               if (auto allowed = jobs.check_access(a); !allowed.ok()) {
                 return http::Response::error(allowed.error());
               }
               return http::Response::stream([&jobs, a, kind = std::move(kind), id,
                                              after](const std::shared_ptr<http::EventSink>& sink) {
                 auto listener = std::make_shared<JobStreamListener>(sink, kind, id);
                 if (!jobs.watch(a, std::move(listener), after).ok()) sink->close();
               });
             }));
}

}  // namespace relais::api
