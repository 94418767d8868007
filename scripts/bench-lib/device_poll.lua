-- Polls the token endpoint for pending device codes (RFC 8628 §3.4), each thread walking the
-- list from its own offset: every answer should be 400 `authorization_pending` (the user has not
-- approved yet), which is the work an IoT fleet gives a server all day. Counts answers by error.
local codes = {}
for line in io.lines(os.getenv("BENCH_DEVICE_CODES")) do codes[#codes + 1] = line end

local counter = 0
local threads = {}
function setup(thread)
    counter = counter + 1
    thread:set("offset", counter * 4999)
    thread:set("pending", 0)
    thread:set("slow", 0)
    thread:set("other", 0)
    threads[#threads + 1] = thread
end

local suffix = "&client_id=" .. os.getenv("BENCH_DEVICE_CLIENT")
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local index = 0
function request()
    index = index + 1
    local code = codes[((offset or 0) + index) % #codes + 1]
    return wrk.format(
        "POST", nil, headers, "grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=" .. code .. suffix)
end

function response(status, headers, body)
    if body:find('"authorization_pending"', 1, true) then
        pending = pending + 1
    elseif body:find('"slow_down"', 1, true) then
        slow = slow + 1
    else
        other = other + 1
    end
end

function done(summary, latency, requests)
    local pending, slow, other = 0, 0, 0
    for _, thread in ipairs(threads) do
        pending = pending + thread:get("pending")
        slow = slow + thread:get("slow")
        other = other + thread:get("other")
    end
    io.stderr:write(string.format("device polls: %d authorization_pending, %d slow_down, %d other\n", pending, slow, other))
end
