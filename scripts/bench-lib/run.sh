#!/usr/bin/env bash
# Runs inside scripts/test's database bring-up (TESSERA_TEST_* variables set). See scripts/bench.
set -euo pipefail
BINARY=$1
LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DURATION=${BENCH_DURATION:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
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

echo "bench: warm-up and token collection for introspection" >&2
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$LIB/collect_tokens.lua" "$BASE/t/bench/token" >/dev/null 2>&1
cat "$WORK"/tokens-*.txt >"$WORK/tokens.txt"
TOKENS=$(wc -l <"$WORK/tokens.txt")
export BENCH_TOKENS="$WORK/tokens.txt"

echo "bench: client credentials" >&2
read -r TOKEN_RPS TOKEN_P50 TOKEN_P99 TOKEN_ERRORS <<<"$(run_wrk token token.lua "$BASE/t/bench/token")"
echo "bench: introspection of $TOKENS distinct tokens" >&2
read -r INTRO_RPS INTRO_P50 INTRO_P99 INTRO_ERRORS <<<"$(run_wrk introspect introspect.lua "$BASE/t/bench/introspect")"
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")

cat <<TABLE

| measure | result |
| --- | --- |
| machine | $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d) |
| ES256 ceiling, one core (\`tessera keys benchmark\`) | $SIGNS signs/s, $VERIFIES verifies/s |
| client-credentials tokens/s (wrk, $CONNECTIONS connections, ${DURATION} s) | $TOKEN_RPS |
| token latency p50 / p99 | $TOKEN_P50 / $TOKEN_P99 |
| token non-2xx responses | $TOKEN_ERRORS |
| introspections/s of $TOKENS distinct tokens | $INTRO_RPS |
| introspection latency p50 / p99 | $INTRO_P50 / $INTRO_P99 |
| introspection non-2xx responses | $INTRO_ERRORS |
| server peak memory (VmHWM) | $((PEAK_KB / 1024)) MiB |
| tokens/s against one core's signing ceiling | $(python3 -c "print(f'{$TOKEN_RPS / $SIGNS:.2f}')") |
TABLE
