-- bench/lua/common.lua: what bench/tickets' wrk scripts share (wrk 4, LuaJIT).
--
-- Each wrk thread counts the statuses of the responses it reads; done() adds the threads' counts
-- up and prints one line `bench-statuses: ok=N other=M codes=CODE:N,...` that bench/tickets reads
-- (`ok` counts the status the script expects: 201 for a create, 200 for a read).

local M = {}
local threads = {}

function M.install(expected)
    setup = function(thread)
        thread:set("bench_id", #threads + 1)
        table.insert(threads, thread)
    end

    -- These live in each thread's own Lua state.
    ok_count = 0
    other_count = 0
    codes = {}

    response = function(status, headers, body)
        if status == expected then
            ok_count = ok_count + 1
        else
            other_count = other_count + 1
            codes[status] = (codes[status] or 0) + 1
        end
    end

    done = function(summary, latency, requests)
        local ok, other, all = 0, 0, {}
        for _, t in ipairs(threads) do
            ok = ok + t:get("ok_count")
            other = other + t:get("other_count")
            for code, n in pairs(t:get("codes")) do
                all[code] = (all[code] or 0) + n
            end
        end
        local list = {}
        for code, n in pairs(all) do
            table.insert(list, code .. ":" .. n)
        end
        table.sort(list)
        io.write(string.format("bench-statuses: ok=%d other=%d codes=%s\n", ok, other,
            #list > 0 and table.concat(list, ",") or "-"))
    end
end

return M
