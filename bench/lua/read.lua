-- bench/lua/read.lua: GET /api/v2/tickets/{id}, ids drawn uniformly from LO..HI (bench/tickets).
-- Arguments after `--`: TOKEN LO HI. Expects 200; counts every other status.
package.path = debug.getinfo(1, "S").source:match("^@?(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.install(200)

local headers, lo, hi

function init(args)
    headers = {["Authorization"] = "Bearer " .. args[1]}
    lo = tonumber(args[2])
    hi = tonumber(args[3])
    local id = bench_id or 0
    math.randomseed(os.time() + id * 7919)
end

function request()
    return wrk.format("GET", "/api/v2/tickets/" .. math.random(lo, hi), headers)
end
