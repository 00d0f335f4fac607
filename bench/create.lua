-- POST a new customer with a unique entityId on every request: the salt
-- (first argument, different for every wrk run against one service), the
-- thread number and a counter make the id, so nothing ever answers 409.
--   wrk ... -s create.lua http://HOST/roles/customers -- SALT
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local salt, n = 0, 0

setup = common.setup

function init(args)
  salt = tonumber(args[1]) or 0
  common.json_headers()
end

function request()
  n = n + 1
  local body = string.format(
    '{"entityId":"%08x-%04x-4000-8000-%012x","entityType":"NATURAL_PERSON",' ..
    '"labels":["bench-a","bench-b"],"refAccounts":[{"iban":"DE89370400440532013000",' ..
    '"ownerName":"Bench Owner","type":"PRIMARY"}]}', salt, thread_no or 0, n)
  return wrk.format("POST", wrk.path, nil, body)
end
