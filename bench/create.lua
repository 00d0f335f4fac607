-- POST a new customer with a unique entityId on every request: the salt
-- (first argument, different for every wrk run against one service), the
-- thread number and a counter make the id, so nothing ever answers 409.
-- Labels: "bench-a" and "bench-b", or with POOL and N (post16) N random
-- distinct labels of label-0 .. label-(POOL-1), as patch.lua draws them.
--   wrk ... -s create.lua http://HOST/roles/customers -- SALT [POOL N]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local salt, n, pool, k = 0, 0, nil, nil

setup = common.setup

function init(args)
  salt = tonumber(args[1]) or 0
  pool = tonumber(args[2])
  k = tonumber(args[3])
  if pool then common.seed() end
  common.json_headers()
end

function request()
  n = n + 1
  local labels = pool and common.labels_json(pool, k or 2) or '["bench-a","bench-b"]'
  local body = string.format(
    '{"entityId":"%08x-%04x-4000-8000-%012x","entityType":"NATURAL_PERSON",' ..
    '"labels":%s,"refAccounts":[{"iban":"DE89370400440532013000",' ..
    '"ownerName":"Bench Owner","type":"PRIMARY"}]}', salt, thread_no or 0, n, labels)
  return wrk.format("POST", wrk.path, nil, body)
end
