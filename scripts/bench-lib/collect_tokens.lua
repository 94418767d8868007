-- Like token.lua, and every thread writes the access tokens it receives to its own file.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
end

local file
function response(status, headers, body)
    if status ~= 200 then return end
    if not file then file = io.open(os.getenv("BENCH_TOKEN_DIR") .. "/tokens-" .. id .. ".txt", "a") end
    local token = body:match('"access_token":"([^"]+)"')
    if token then file:write(token, "\n") end
end
