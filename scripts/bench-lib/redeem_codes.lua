-- Redeems each minted code once (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.5): every thread walks
-- its own slice of the list, so no code is sent twice. The first refresh tokens of each thread's
-- answers are kept for the refresh phase.
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end

local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
    thread:set("threads", tonumber(os.getenv("BENCH_THREADS") or "2"))
end

local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Authorization"] = os.getenv("BENCH_WEB_AUTHORIZATION"),
}
local suffix = "&redirect_uri=" .. os.getenv("BENCH_REDIRECT_URI") .. "&code_verifier=" .. os.getenv("BENCH_VERIFIER")
local index = 0
function request()
    local position = (id - 1) + index * threads + 1
    index = index + 1
    local code = codes[position] or "exhausted"
    return wrk.format("POST", nil, headers, "grant_type=authorization_code&code=" .. code .. suffix)
end

local file
local kept = 0
function response(status, headers, body)
    if status ~= 200 or kept >= 64 then return end
    if not file then file = io.open(os.getenv("BENCH_TOKEN_DIR") .. "/refresh-" .. id .. ".txt", "a") end
    local token = body:match('"refresh_token":"([^"]+)"')
    if token then
        file:write(token, "\n")
        kept = kept + 1
        if kept == 64 then file:close() end
    end
end
