-- Client-credentials requests spread over many tenants: BENCH_TENANTS_FILE has one line per
-- tenant, `slug<TAB>Authorization header`. Each thread walks the list from its own offset, so
-- consecutive requests go to different tenants. With BENCH_TOKEN_DIR set, every thread also
-- writes the access tokens it receives to its own file (for the introspection phase).
local requests = {}
for line in io.lines(os.getenv("BENCH_TENANTS_FILE")) do
    local slug, authorization = line:match("^([^\t]+)\t(.+)$")
    if slug then
        requests[#requests + 1] = wrk.format("POST", "/t/" .. slug .. "/token", {
            ["Content-Type"] = "application/x-www-form-urlencoded",
            ["Authorization"] = authorization,
        }, "grant_type=client_credentials")
    end
end

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
    thread:set("offset", counter * 4999)
end

local index = 0
function request()
    index = index + 1
    return requests[((offset or 0) + index) % #requests + 1]
end

local directory = os.getenv("BENCH_TOKEN_DIR")
local file
if directory then
    function response(status, headers, body)
        if status ~= 200 then return end
        if not file then file = io.open(directory .. "/tenant-tokens-" .. id .. ".txt", "a") end
        local token = body:match('"access_token":"([^"]+)"')
        if token then file:write(token, "\n") end
    end
end
