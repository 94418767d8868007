-- GET /authorize with a signed-in user's session cookie and a consent already given: each
-- answer is a 303 to the redirect URI with a fresh code (RFC 6749 §4.1.2), which the thread
-- writes to its own file for the redemption phase. Not a measured phase: it makes the codes.
wrk.method = "GET"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
end

local file
function response(status, headers, body)
    if status ~= 303 then return end
    if not file then file = io.open(os.getenv("BENCH_TOKEN_DIR") .. "/codes-" .. id .. ".txt", "a") end
    local code = (headers["Location"] or headers["location"] or ""):match("[?&]code=([^&]+)")
    if code then file:write(code, "\n") end
end
