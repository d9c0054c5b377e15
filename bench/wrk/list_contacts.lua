dofile(os.getenv("RELAIS_BENCH_DIR") .. "/wrk/common.lua")
function request()
  return wrk.format("GET", "/api/v1/contacts?limit=50", auth_headers)
end
