// The JSON form of a job (docs/DESIGN.md, "Jobs"): times as ISO 8601 UTC, progress as
// {done, total} or null, last_error null when none.
#pragma once

#include "common/result.hpp"
#include "domain/jobs/job_queue.hpp"

namespace relais::api {

Json job_json(const domain::Job& job);
Json job_page_json(const domain::JobPage& page);

}  // namespace relais::api
