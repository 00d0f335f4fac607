-- Shared by the wrk scripts of bench/run (loaded with dofile from the
-- script's own directory).  wrk runs one Lua state per thread: setup()
-- numbers the threads in the main state, so each thread seeds its own
-- random sequence and concurrent threads do not walk the same ids.
local common = {}
local threads = 0

function common.setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end

-- Seeds math.random for this thread; call from init().
function common.seed()
  math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919)
end

-- Adds the JSON body headers of the write scenarios.  wrk.format() takes
-- either its own header table or wrk.headers (which holds bench/run's -H
-- Authorization), never both, so they go into wrk.headers.
function common.json_headers()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Requestor-ID"] = "0190a6c4-0000-4000-8000-000000000001"
end

-- The lines of FILE (one customer id each) as an array; fails on an empty file.
function common.lines(file)
  local t = {}
  for line in io.lines(file) do
    if line ~= "" then t[#t + 1] = line end
  end
  assert(#t > 0, "no ids in " .. file)
  return t
end

-- A JSON array of N random distinct labels out of label-0 .. label-(POOL-1),
-- zero-padded to the width of POOL-1 as both seeders name them (a partial
-- Fisher-Yates shuffle of the pool).
function common.labels_json(pool, n)
  local width = #tostring(pool - 1)
  local a = {}
  for i = 0, pool - 1 do a[i + 1] = i end
  local out = {}
  for i = 1, math.min(n, pool) do
    local j = math.random(i, pool)
    a[i], a[j] = a[j], a[i]
    out[i] = string.format('"label-%0' .. width .. 'd"', a[i])
  end
  return "[" .. table.concat(out, ",") .. "]"
end

return common
