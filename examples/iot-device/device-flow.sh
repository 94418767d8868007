#!/usr/bin/env bash
# A device without a browser (a TV, a sensor, a CLI) gets a token through the device flow
# (RFC 8628): it shows a code, a person approves it on another screen, the device polls politely
# until the answer comes. Its tokens are DPoP-bound (RFC 9449): every token request carries a
# proof by the device's own key (dpop_proof.py), so a token copied off the device is useless
# without that key. Needs curl, python3 with joserfc, and a running `swift run tessera serve` in
# the same folder (the CLI calls below use its SQLite database).
#
#   examples/iot-device/device-flow.sh [TESSERA]     # TESSERA: how to run the CLI (default: swift run tessera)
set -euo pipefail
TESSERA=${1:-swift run -q tessera}
BASE=${TESSERA_PUBLIC_URL:-http://127.0.0.1:8080}
TENANT=example-$RANDOM
json() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }
# The device's DPoP key: made on first use, kept (mode 0600) beside its tokens. A real device
# keeps it in its secure element.
PROOF="python3 $(dirname "$0")/dpop_proof.py"
mkdir -p .tessera
KEY=.tessera/$TENANT-device-key.json

# Setup an operator would do once: a tenant, a scope, a user, and the device's public client.
$TESSERA tenant create "$TENANT" >/dev/null
$TESSERA scope create --tenant "$TENANT" tv:watch --description "Watch on your TV" >/dev/null
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
echo "$PASSWORD" | $TESSERA user create --tenant "$TENANT" --username viewer --password-stdin >/dev/null
# --dpop-bound: the TV gets no bearer token, only tokens bound to its key (RFC 9449 §5.2).
CLIENT_ID=$($TESSERA client create --tenant "$TENANT" --name "Living Room TV" --public --dpop-bound \
    --grant urn:ietf:params:oauth:grant-type:device_code --grant refresh_token \
    --scope tv:watch --scope offline_access --json | json client_id)

# 1. The device asks for a code (a public client: its client_id is all it has).
START=$(curl -fsS -d client_id="$CLIENT_ID" -d scope="tv:watch offline_access" \
    "$BASE/t/$TENANT/device_authorization")
DEVICE_CODE=$(json device_code <<<"$START")
INTERVAL=$(json interval <<<"$START")
echo "== On your phone or computer, open $(json verification_uri <<<"$START")"
echo "== and enter the code $(json user_code <<<"$START")"
echo "== (or open $(json verification_uri_complete <<<"$START"))"
echo "== Sign in as viewer with password $PASSWORD, then allow the TV."

# 2. It polls at the interval it was given, slower when told to, until the person decides. Each
#    poll has a fresh DPoP proof for the token endpoint (a proof is good once); a server that
#    requires nonces answers use_dpop_nonce with one in DPoP-Nonce, for the next proof (§8).
TOKEN_URL="$BASE/t/$TENANT/token"
NONCE=""
HEADERS=$(mktemp "${TMPDIR:-/tmp}/device-headers.XXXXXX")
trap 'rm -f "$HEADERS"' EXIT
while true; do
    sleep "$INTERVAL"
    ANSWER=$(curl -sS -D "$HEADERS" -H "DPoP: $($PROOF "$KEY" POST "$TOKEN_URL" $NONCE)" \
        -d grant_type=urn:ietf:params:oauth:grant-type:device_code \
        -d device_code="$DEVICE_CODE" -d client_id="$CLIENT_ID" "$TOKEN_URL")
    # §8.2: any answer may bring the nonce to use next; keep the last one given.
    NEXT=$(grep -i '^dpop-nonce:' "$HEADERS" | cut -d ' ' -f 2 | tr -d '\r' || true)
    NONCE=${NEXT:-$NONCE}
    case "$(json error <<<"$ANSWER")" in
        "") echo "== approved; the device's tokens:"; echo "$ANSWER"
            echo "== bound to the device's DPoP key $($PROOF "$KEY" --thumbprint) ($KEY)"; exit 0 ;;
        use_dpop_nonce) echo "   the server asks for a DPoP nonce; the next proof carries it" ;;
        authorization_pending) echo "   waiting for approval…" ;;
        slow_down) INTERVAL=$((INTERVAL + 5)); echo "   asked to slow down; now every ${INTERVAL}s" ;;
        *) echo "== stopped: $ANSWER"; exit 1 ;;
    esac
done
