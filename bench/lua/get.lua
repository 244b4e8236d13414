-- bench/lua/get.lua: the same GET over and over (bench/tickets: the queue's first page).
-- Arguments after `--`: TOKEN PATH. Expects 200; counts every other status.
package.path = debug.getinfo(1, "S").source:match("^@?(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.install(200)

local req

function init(args)
    req = wrk.format("GET", args[2], {["Authorization"] = "Bearer " .. args[1]})
end

function request()
    return req
end
