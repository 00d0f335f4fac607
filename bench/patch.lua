-- PATCH the labels of a random customer (ids from the file given as the
-- first argument) to N random distinct labels out of the pool label-0 ..
-- label-(POOL-1) (zero-padded to the width of POOL-1, as both seeders name
-- them), so nearly every request really changes the set and commits a write.
-- POOL and N default to 50 and 2 (bench/run's patch); patch16 passes 16:
-- 16 labels drawn afresh out of 64 replace the customer's 16 (on average
-- 12 of them change).
--   wrk ... -s patch.lua http://HOST/roles/customers/ -- IDS_FILE [POOL N]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local ids, pool, n

setup = common.setup

function init(args)
  common.seed()
  ids = common.lines(args[1])
  pool = tonumber(args[2]) or 50
  n = tonumber(args[3]) or 2
  common.json_headers()
end

function request()
  local body = '{"labels":' .. common.labels_json(pool, n) .. '}'
  return wrk.format("PATCH", wrk.path .. ids[math.random(#ids)], nil, body)
end
