dofile(os.getenv("RELAIS_BENCH_DIR") .. "/wrk/common.lua")
local n = 0
local run = os.time()
function request()
  n = n + 1
  local body = string.format(
    '{"first_name":"Bench","last_name":"Création","emails":["bench.%d.%d.%d@exemple.fr"],"city":"Lyon"}',
    run, thread_id or 0, n)
  local headers = { ["Authorization"] = auth_headers["Authorization"],
                    ["Content-Type"] = "application/json" }
  return wrk.format("POST", "/api/v1/contacts", headers, body)
end
