-- bench/lua/create.lua: POST /api/v2/tickets, one new ticket per request (bench/tickets).
-- Arguments after `--`: TOKEN REQUESTER_ID. Expects 201; counts every other status.
package.path = debug.getinfo(1, "S").source:match("^@?(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.install(201)

local token, requester

function init(args)
    token = args[1]
    requester = tonumber(args[2])
    local id = bench_id or 0
    math.randomseed(os.time() + id * 7919)
end

local n = 0

function request()
    n = n + 1
    local body = string.format(
        '{"ticket":{"subject":"Printer on floor %d jams again (%d)","requester_id":%d,' ..
        '"comment":{"body":"The printer by the kitchen jams on every second page since the ' ..
        'update. Request %d, tried restarting it twice."}}}',
        math.random(1, 9), n, requester, n)
    return wrk.format("POST", "/api/v2/tickets", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
    }, body)
end
