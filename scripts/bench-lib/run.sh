#!/usr/bin/env bash
# Runs inside scripts/test's database bring-up (TESSERA_TEST_* variables set). See scripts/bench.
set -euo pipefail
BINARY=$1
SETUP_BINARY=${2:-}
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
TENANTS=${BENCH_TENANTS:-10000}
if [ -z "$SETUP_BINARY" ]; then TENANTS=0; fi
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

DB="bench_$RANDOM$RANDOM"
psql -q "$TESSERA_TEST_PG_SUPERUSER_URL" -c "CREATE DATABASE $DB" >/dev/null
export TESSERA_DATABASE_URL="postgres://postgres@127.0.0.1:$TESSERA_TEST_PG_PORT/$DB"
"$BINARY" master-key generate >"$WORK/master.key"
export TESSERA_MASTER_KEY_FILE="$WORK/master.key"
export TESSERA_LOG_LEVEL=warning
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export TESSERA_PUBLIC_URL="$BASE"

cd "$WORK"
"$BINARY" tenant create bench >/dev/null
"$BINARY" tenant settings bench --set rate_limit_per_client=0 --set rate_limit_per_address=0 >/dev/null
"$BINARY" scope create --tenant bench orders:read >/dev/null
CLIENT=$("$BINARY" client create --tenant bench --name bench --scope orders:read \
    --audience https://api.example.com --json)
ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$CLIENT")
SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$CLIENT")
export BENCH_AUTHORIZATION="Basic $(printf '%s:%s' "$ID" "$SECRET" | base64 -w0)"
export BENCH_TOKEN_DIR="$WORK"

# The stateful phases' cast: a user, a web app that rotates refresh tokens, and a device app.
# Codes live their longest (600 s) so the ones made before the redemption phase are still good.
"$BINARY" tenant settings bench --set authorization_code_ttl=600 --set device_poll_interval=1 >/dev/null
BENCH_PASSWORD="bench-password-$RANDOM$RANDOM"
"$BINARY" user create --tenant bench --username benchuser --password-stdin >/dev/null <<<"$BENCH_PASSWORD"
export BENCH_REDIRECT_URI="https://app.example.com/callback"
WEB=$("$BINARY" client create --tenant bench --name "Bench web app" --scope openid --scope orders:read \
    --grant authorization_code --grant refresh_token --refresh-rotation rotate \
    --redirect-uri "$BENCH_REDIRECT_URI" --audience https://api.example.com --json)
WEB_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$WEB")
WEB_SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$WEB")
export BENCH_WEB_AUTHORIZATION="Basic $(printf '%s:%s' "$WEB_ID" "$WEB_SECRET" | base64 -w0)"
DEVICE=$("$BINARY" client create --tenant bench --name "Bench device" --public --scope orders:read \
    --grant urn:ietf:params:oauth:grant-type:device_code --audience https://api.example.com --json)
export BENCH_DEVICE_CLIENT=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$DEVICE")

if [ "$TENANTS" -gt 0 ]; then
    # Made before the server starts, so the one-tenant phases run on a server that has not
    # seen them (and their memory is measured before the many-tenant phases load them).
    echo "bench: creating $TENANTS tenants, each with its keys and a client" >&2
    SETUP_START=$(date +%s.%N)
    "$SETUP_BINARY" "$TENANTS" "$WORK/tenants.txt"
    SETUP_SECONDS=$(python3 -c "import time; print(f'{time.time() - $SETUP_START:.0f}')")
fi

echo "bench: signing ceiling (one core, same library)" >&2
CEILING=$("$BINARY" keys benchmark --alg ES256 --seconds 3 --json)
SIGNS=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["signs_per_second"])' <<<"$CEILING")
VERIFIES=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["verifies_per_second"])' <<<"$CEILING")

"$BINARY" serve --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

run_wrk() { # name lua url
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LIB/$2" "$3" >"$WORK/$1.txt" 2>&1
    python3 "$LIB/parse_wrk.py" "$WORK/$1.txt"
}

echo "bench: HTTP floor (GET /healthz: no database, no crypto)" >&2
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$BASE/healthz" >"$WORK/healthz.txt" 2>&1
read -r FLOOR_RPS FLOOR_P50 FLOOR_P99 _ <<<"$(python3 "$LIB/parse_wrk.py" "$WORK/healthz.txt")"

echo "bench: warm-up and token collection for introspection" >&2
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$LIB/collect_tokens.lua" "$BASE/t/bench/token" >/dev/null 2>&1
cat "$WORK"/tokens-*.txt >"$WORK/tokens.txt"
TOKENS=$(wc -l <"$WORK/tokens.txt")
export BENCH_TOKENS="$WORK/tokens.txt"

echo "bench: client credentials" >&2
read -r TOKEN_RPS TOKEN_P50 TOKEN_P99 TOKEN_ERRORS <<<"$(run_wrk token token.lua "$BASE/t/bench/token")"
# DPoP: one proof check and one replay record per request (RFC 9449 §11.1), each proof fresh.
# Enough proofs for the phase at the bearer rate and a half; made just before, dated ahead.
PROOFS=$(python3 -c "print(int(${TOKEN_RPS%.*} * $DURATION * 1.5) + 1000)")
echo "bench: DPoP-bound client credentials ($PROOFS proofs made first)" >&2
python3 "$LIB/dpop_proofs.py" "$PROOFS" "$BASE/t/bench/token" 40 >"$WORK/proofs.txt"
read -r DPOP_RPS DPOP_P50 DPOP_P99 DPOP_ERRORS <<<"$(BENCH_PROOFS="$WORK/proofs.txt" run_wrk dpop dpop_token.lua "$BASE/t/bench/token")"
echo "bench: introspection of $TOKENS distinct tokens" >&2
read -r INTRO_RPS INTRO_P50 INTRO_P99 INTRO_ERRORS <<<"$(run_wrk introspect introspect.lua "$BASE/t/bench/introspect")"
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

MULTI_ROWS=""
if [ "$TENANTS" -gt 0 ]; then
    export BENCH_TENANTS_FILE="$WORK/tenants.txt"
    # Warm-up: the first request to a tenant loads its keys and client (three queries, two
    # keys opened); it runs until every tenant has answered at least once (at most 4 rounds),
    # so the measured phases see the steady state. The first round's rate is the cold rate.
    COVERED=0
    for ROUND in 1 2 3 4; do
        echo "bench: $TENANTS tenants: warm-up round $ROUND (first use loads each tenant) and token collection" >&2
        BENCH_TOKEN_DIR="$WORK" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$LIB/tenants_token.lua" "$BASE" \
            >"$WORK/tenants-warmup-$ROUND.txt" 2>&1
        if [ "$ROUND" -eq 1 ]; then
            read -r COLD_RPS _ <<<"$(python3 "$LIB/parse_wrk.py" "$WORK/tenants-warmup-1.txt")"
        fi
        COVERED=$(python3 "$LIB/pair_tokens.py" "$WORK/tenants.txt" "$WORK/tenant-tokens.txt" "$WORK"/tenant-tokens-*.txt)
        if [ "$COVERED" -ge "$TENANTS" ]; then break; fi
    done
    MULTI_TOKENS=$(wc -l <"$WORK/tenant-tokens.txt")
    export BENCH_TENANT_TOKENS="$WORK/tenant-tokens.txt"
    echo "bench: $TENANTS tenants: client credentials" >&2
    read -r MT_RPS MT_P50 MT_P99 MT_ERRORS <<<"$(run_wrk tenants-token tenants_token.lua "$BASE")"
    echo "bench: $TENANTS tenants: introspection of $MULTI_TOKENS distinct tokens" >&2
    read -r MI_RPS MI_P50 MI_P99 MI_ERRORS <<<"$(run_wrk tenants-introspect tenants_introspect.lua "$BASE")"
    MULTI_PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    MULTI_RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
    MULTI_ROWS="| tenants created (keys + scope + client each, \`TesseraBenchSetup\`) | $TENANTS in $SETUP_SECONDS s |
| first-use warm-up (loads keys and client per tenant): tokens/s, tenants answered | $COLD_RPS; $COVERED of $TENANTS after $ROUND round(s) |
| client-credentials tokens/s, requests spread over $TENANTS tenants | $MT_RPS ($(ratio "$MT_RPS" "$TOKEN_RPS") of one tenant) |
| token latency p50 / p99, $TENANTS tenants | $MT_P50 / $MT_P99 |
| token non-2xx responses, $TENANTS tenants | $MT_ERRORS |
| introspections/s of $MULTI_TOKENS distinct tokens over $TENANTS tenants | $MI_RPS ($(ratio "$MI_RPS" "$INTRO_RPS") of one tenant) |
| introspection latency p50 / p99, $TENANTS tenants | $MI_P50 / $MI_P99 |
| introspection non-2xx responses, $TENANTS tenants | $MI_ERRORS |
| server peak memory (VmHWM) after the $TENANTS-tenant phases; RSS at the end | $((MULTI_PEAK_KB / 1024)) MiB; $((MULTI_RSS_KB / 1024)) MiB |
"
fi

# ---- stateful phases (issue 15): every request reads and writes PostgreSQL
echo "bench: signing a user in once; minting authorization codes for the redemption phase" >&2
export BENCH_VERIFIER="bench-verifier-$(python3 -c 'import secrets; print(secrets.token_urlsafe(40))')"
SIGNIN=$(python3 "$LIB/stateful_setup.py" signin "$BASE" /t/bench "$WEB_ID" "$BENCH_REDIRECT_URI" benchuser \
    "$BENCH_PASSWORD" "$BENCH_VERIFIER")
export BENCH_COOKIE=$(sed -n 1p <<<"$SIGNIN")
AUTHORIZE_PATH=$(sed -n 2p <<<"$SIGNIN")
wrk -t2 -c"$CONNECTIONS" -d"$((DURATION * 2))s" -s "$LIB/mint_codes.lua" "$BASE$AUTHORIZE_PATH" \
    >"$WORK/mint.txt" 2>&1
read -r MINT_RPS _ <<<"$(python3 "$LIB/parse_wrk.py" "$WORK/mint.txt")"
cat "$WORK"/codes-*.txt >"$WORK/codes.txt"
CODES=$(wc -l <"$WORK/codes.txt")

echo "bench: authorization code redemptions ($CODES codes, each once)" >&2
read -r CODE_RPS CODE_P50 CODE_P99 CODE_ERRORS <<<"$(BENCH_CODES="$WORK/codes.txt" BENCH_THREADS=2 \
    run_wrk redeem redeem_codes.lua "$BASE/t/bench/token")"
cat "$WORK"/refresh-*.txt | head -n "$CONNECTIONS" >"$WORK/refresh.txt"
CHAINS=$(wc -l <"$WORK/refresh.txt")

echo "bench: refresh grants ($CHAINS connections, each rotating its own chain)" >&2
BENCH_REFRESH_TOKENS="$WORK/refresh.txt" wrk -t"$CHAINS" -c"$CHAINS" -d"${DURATION}s" --latency \
    -s "$LIB/refresh_chain.lua" "$BASE/t/bench/token" >"$WORK/refresh-run.txt" 2>&1
read -r REFRESH_RPS REFRESH_P50 REFRESH_P99 REFRESH_ERRORS <<<"$(python3 "$LIB/parse_wrk.py" "$WORK/refresh-run.txt")"
REFRESH_BROKEN=$(sed -n 's/.*chains, \([0-9]*\) refused rotations.*/\1/p' "$WORK/refresh-run.txt")

DEVICES=${BENCH_DEVICES:-10000}
echo "bench: starting $DEVICES device authorizations; polling them" >&2
python3 "$LIB/stateful_setup.py" devices "$BASE" /t/bench "$BENCH_DEVICE_CLIENT" "$DEVICES" "$WORK/devices.txt" >/dev/null
BENCH_DEVICE_CODES="$WORK/devices.txt" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$LIB/device_poll.lua" "$BASE/t/bench/token" >"$WORK/device-run.txt" 2>&1
read -r POLL_RPS POLL_P50 POLL_P99 _ <<<"$(python3 "$LIB/parse_wrk.py" "$WORK/device-run.txt")"
POLL_MIX=$(sed -n 's/^device polls: //p' "$WORK/device-run.txt")

# The purge under load: a million expired one-time ids (DPoP proofs, client assertions, WebAuthn
# challenges of the bench tenant) written straight into PostgreSQL while the server is down; it
# purges them from its first round on, while wrk asks for client-credentials tokens.
PURGE_ROWS=${BENCH_PURGE_ROWS:-1000000}
echo "bench: client credentials while the purge removes $PURGE_ROWS expired rows" >&2
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
TENANT_ID=$(psql -qtA "$TESSERA_DATABASE_URL" -c "SELECT id FROM tenants WHERE slug = 'bench'")
THIRD=$((PURGE_ROWS / 3))
psql -q "$TESSERA_DATABASE_URL" >/dev/null <<SQL
INSERT INTO dpop_proofs (tenant_id, jkt, jti, expires_at)
    SELECT '$TENANT_ID', 'bench-jkt', 'p' || n, now() - interval '1 hour' FROM generate_series(1, $THIRD) n;
INSERT INTO client_assertions (tenant_id, client_id, jti, expires_at)
    SELECT '$TENANT_ID', '$ID', 'a' || n, now() - interval '1 hour' FROM generate_series(1, $THIRD) n;
INSERT INTO webauthn_challenges (tenant_id, ceremony, jti, expires_at)
    SELECT '$TENANT_ID', 'authentication', 'c' || n, now() - interval '1 hour'
    FROM generate_series(1, $((PURGE_ROWS - 2 * THIRD))) n;
SQL
expired() {
    psql -qtA "$TESSERA_DATABASE_URL" -c "SELECT (SELECT count(*) FROM dpop_proofs WHERE expires_at < now())
        + (SELECT count(*) FROM client_assertions WHERE expires_at < now())
        + (SELECT count(*) FROM webauthn_challenges WHERE expires_at < now())"
}
EXPIRED_BEFORE=$(expired)
"$BINARY" serve --port "$PORT" >>"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
read -r PURGE_RPS PURGE_P50 PURGE_P99 PURGE_ERRORS <<<"$(run_wrk purge-token token.lua "$BASE/t/bench/token")"
EXPIRED_AFTER=$(expired)

STATEFUL_ROWS="| authorization codes minted (GET /authorize, signed in, consent given; not a measured phase): codes/s | $MINT_RPS |
| authorization code redemptions/s ($CODES distinct codes, PKCE S256, access + refresh + ID token each) | $CODE_RPS |
| code redemption latency p50 / p99; non-2xx responses | $CODE_P50 / $CODE_P99; $CODE_ERRORS |
| refresh grants/s ($CHAINS connections, each rotating its own chain) | $REFRESH_RPS |
| refresh latency p50 / p99; non-2xx responses; refused rotations | $REFRESH_P50 / $REFRESH_P99; $REFRESH_ERRORS; ${REFRESH_BROKEN:-?} |
| device-code polls/s, $DEVICES devices pending | $POLL_RPS |
| device poll latency p50 / p99; answers | $POLL_P50 / $POLL_P99; $POLL_MIX |
| client-credentials tokens/s while the purge runs over $EXPIRED_BEFORE expired rows (of the quiet rate) | $PURGE_RPS ($(ratio "$PURGE_RPS" "$TOKEN_RPS")) |
| token latency p50 / p99 during the purge (quiet: $TOKEN_P50 / $TOKEN_P99); non-2xx | $PURGE_P50 / $PURGE_P99; $PURGE_ERRORS |
| expired rows purged during that phase (${DURATION} s) | $((EXPIRED_BEFORE - EXPIRED_AFTER)) of $EXPIRED_BEFORE |
"

cat <<TABLE

| measure | result |
| --- | --- |
| machine | $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d) |
| ES256 ceiling, one core (\`tessera keys benchmark\`) | $SIGNS signs/s, $VERIFIES verifies/s |
| HTTP floor: \`GET /healthz\` requests/s, p99 (same server, no crypto, no database) | $FLOOR_RPS, $FLOOR_P99 |
| client-credentials tokens/s (wrk, $CONNECTIONS connections, ${DURATION} s) | $TOKEN_RPS |
| token latency p50 / p99 | $TOKEN_P50 / $TOKEN_P99 |
| token non-2xx responses | $TOKEN_ERRORS |
| DPoP-bound client-credentials tokens/s (one proof check and replay record each; of bearer) | $DPOP_RPS ($(ratio "$DPOP_RPS" "$TOKEN_RPS")) |
| DPoP token latency p50 / p99; non-2xx responses | $DPOP_P50 / $DPOP_P99; $DPOP_ERRORS |
| introspections/s of $TOKENS distinct tokens | $INTRO_RPS |
| introspection latency p50 / p99 | $INTRO_P50 / $INTRO_P99 |
| introspection non-2xx responses | $INTRO_ERRORS |
| server peak memory (VmHWM), one tenant | $((PEAK_KB / 1024)) MiB |
| tokens/s against one core's signing ceiling | $(ratio "$TOKEN_RPS" "$SIGNS") |
| introspections/s against one core's verifying ceiling | $(ratio "$INTRO_RPS" "$VERIFIES") |
| DPoP tokens/s against one core's verifying ceiling (each verifies a proof, signs a token) | $(ratio "$DPOP_RPS" "$VERIFIES") |
TABLE
printf '%s' "$MULTI_ROWS"
printf '%s' "$STATEFUL_ROWS"
