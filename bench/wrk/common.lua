-- Shared by the wrk scenarios: bearer token from the environment, per-thread counters.
token = os.getenv("RELAIS_TOKEN")
max_id = tonumber(os.getenv("RELAIS_MAX_ID") or "1000")
auth_headers = { ["Authorization"] = "Bearer " .. (token or "") }

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

-- wrk itself counts non-2xx/3xx answers ("Non-2xx or 3xx responses"); bench/run.py
-- refuses a result that has any.
