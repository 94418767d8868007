-- Every connection (one per thread, `wrk -tN -cN`) rotates its own refresh-token chain
-- (RFC 6749 §6; rotation, docs/refresh-rotation.md): each answer's new refresh token is the next
-- request's. A broken chain (any non-200) is counted and its thread stops sending useful work.
local tokens = {}
for line in io.lines(os.getenv("BENCH_REFRESH_TOKENS")) do tokens[#tokens + 1] = line end

local counter = 0
local threads = {}
function setup(thread)
    counter = counter + 1
    thread:set("token", tokens[counter])
    thread:set("broken", 0)
    threads[#threads + 1] = thread
end

local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BENCH_WEB_AUTHORIZATION"),
}
function request()
    return wrk.format("POST", nil, headers, "grant_type=refresh_token&refresh_token=" .. (token or "none"))
end

function response(status, headers, body)
    if status == 200 then
        local next = body:match('"refresh_token":"([^"]+)"')
        if next then token = next end
    else
        broken = broken + 1
    end
end

function done(summary, latency, requests)
    local broken = 0
    for _, thread in ipairs(threads) do broken = broken + thread:get("broken") end
    io.stderr:write("refresh chains: ", #threads, " chains, ", broken, " refused rotations\n")
end
