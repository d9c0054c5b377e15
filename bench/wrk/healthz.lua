dofile(os.getenv("RELAIS_BENCH_DIR") .. "/wrk/common.lua")
function request() return wrk.format("GET", "/healthz") end
