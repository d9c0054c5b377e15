dofile(os.getenv("RELAIS_BENCH_DIR") .. "/wrk/common.lua")
-- Accent-free prefixes of generated names and cities, as users type them.
local terms = { "helene", "dupo", "lefe", "jerome%20mor", "lyon", "zoe", "franc", "girard",
                "anais%20bonn", "strasb", "gaelle", "mercier", "theo%20lamb", "noel", "cecile" }
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", "/api/v1/contacts?limit=20&q=" .. terms[(n % #terms) + 1], auth_headers)
end
