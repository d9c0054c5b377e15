dofile(os.getenv("RELAIS_BENCH_DIR") .. "/wrk/common.lua")
function init(args) math.randomseed(thread_id or 1) end
function request()
  return wrk.format("GET", "/api/v1/contacts/" .. math.random(1, max_id), auth_headers)
end
