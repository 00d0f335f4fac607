-- GET one customer: the URL's path plus a random id from the file given
-- as the first script argument (ids exported from the database).
--   wrk ... -s get.lua http://HOST/roles/customers/ -- IDS_FILE
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
local ids

setup = common.setup

function init(args)
  common.seed()
  ids = common.lines(args[1])
end

function request()
  return wrk.format("GET", wrk.path .. ids[math.random(#ids)])
end
