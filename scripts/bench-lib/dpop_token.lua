-- POST grant_type=client_credentials with a fresh DPoP proof each time (RFC 9449 §5): proofs
-- come from BENCH_PROOFS (one per line, made by dpop_proofs.py); thread N of M sends lines
-- N, N+M, N+2M, ..., so no proof is sent twice while they last.
local counter = 0
function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
end

local proofs = {}
function init(args)
    local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
    local line = 0
    for proof in io.lines(os.getenv("BENCH_PROOFS")) do
        if line % threads == (id - 1) then proofs[#proofs + 1] = proof end
        line = line + 1
    end
end

local index = 0
function request()
    index = index + 1
    return wrk.format("POST", nil, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Authorization"] = os.getenv("BENCH_AUTHORIZATION"),
        ["DPoP"] = proofs[(index - 1) % #proofs + 1],
    }, "grant_type=client_credentials")
end
