-- bench/lua/hc_article.lua: GET /hc/articles/{id} as a visitor (no credentials), ids drawn
-- uniformly from LO..HI (bench/hc_pages). Arguments after `--`: LO HI. Expects 200; counts every
-- other status.
package.path = debug.getinfo(1, "S").source:match("^@?(.*/)") .. "?.lua;" .. package.path
local common = require("common")
common.install(200)

local lo, hi

function init(args)
    lo = tonumber(args[1])
    hi = tonumber(args[2])
    local id = bench_id or 0
    math.randomseed(os.time() + id * 7919)
end

function request()
    return wrk.format("GET", "/hc/articles/" .. math.random(lo, hi))
end
