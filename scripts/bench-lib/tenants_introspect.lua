-- Introspection spread over many tenants: BENCH_TENANT_TOKENS has one line per collected token,
-- `slug<TAB>Authorization header<TAB>token` (the token's own tenant and that tenant's client).
-- Each thread walks the list from its own offset: every request asks about a different token.
local requests = {}
for line in io.lines(os.getenv("BENCH_TENANT_TOKENS")) do
    local slug, authorization, token = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
    if slug then
        requests[#requests + 1] = wrk.format("POST", "/t/" .. slug .. "/introspect", {
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["Authorization"] = authorization,
        }, "token=" .. token)
    end
end

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("offset", counter * 7919)
end

local index = 0
function request()
    index = index + 1
    return requests[((offset or 0) + index) % #requests + 1]
end
