-- PATCH the labels of a random customer (ids from the file given as the
-- first argument) to two random distinct labels out of label-00..label-49,
-- so nearly every request really changes the set and commits a write.
--   wrk ... -s patch.lua http://HOST/roles/customers/ -- IDS_FILE
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local ids

setup = common.setup

function init(args)
  common.seed()
  ids = common.lines(args[1])
  common.json_headers()
end

function request()
  local a = math.random(0, 49)
  local b = (a + math.random(1, 49)) % 50
  local body = string.format('{"labels":["label-%02d","label-%02d"]}', a, b)
  return wrk.format("PATCH", wrk.path .. ids[math.random(#ids)], nil, body)
end
