-- Introspects the collected tokens, each thread walking the list from its own offset, so every
-- request asks about a different token than the last (no answer could come from a cache).
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("offset", counter * 7919)
end

local index = 0
local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BENCH_AUTHORIZATION"),
}
function request()
    index = index + 1
    local token = tokens[((offset or 0) + index) % #tokens + 1]
    return wrk.format("POST", nil, headers, "token=" .. token)
end
