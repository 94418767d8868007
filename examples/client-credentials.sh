#!/usr/bin/env bash
# A service obtains an access token with client credentials, looks inside it, asks the server
# about it (introspection), and revokes it. Needs curl and python3, and a running
# `swift run tessera serve` in the same folder (the CLI calls below use its SQLite database).
#
#   examples/client-credentials.sh [TESSERA]     # TESSERA: how to run the CLI (default: swift run tessera)
set -euo pipefail
TESSERA=${1:-swift run -q tessera}
BASE=${TESSERA_PUBLIC_URL:-http://127.0.0.1:8080}
TENANT=example-$RANDOM

$TESSERA tenant create "$TENANT" >/dev/null
$TESSERA scope create --tenant "$TENANT" orders:read --description "Read orders" >/dev/null
CLIENT=$($TESSERA client create --tenant "$TENANT" --name "Example service" \
    --scope orders:read --audience https://orders.example.com --json)
ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$CLIENT")
SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$CLIENT")

echo "== token"
TOKEN_RESPONSE=$(curl -fsS -u "$ID:$SECRET" -d grant_type=client_credentials "$BASE/t/$TENANT/token")
echo "$TOKEN_RESPONSE"
ACCESS=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' <<<"$TOKEN_RESPONSE")

echo "== claims (the payload is readable by anyone; its signature is what a resource server checks)"
python3 - "$ACCESS" <<'PY'
import base64, json, sys
header, payload, _ = sys.argv[1].split(".")
pad = lambda s: s + "=" * (-len(s) % 4)
print(json.loads(base64.urlsafe_b64decode(pad(header))))
print(json.loads(base64.urlsafe_b64decode(pad(payload))))
PY

echo "== introspection"
curl -fsS -u "$ID:$SECRET" -d token="$ACCESS" "$BASE/t/$TENANT/introspect"; echo
echo "== revocation, then introspection again"
curl -fsS -u "$ID:$SECRET" -d token="$ACCESS" "$BASE/t/$TENANT/revoke"
curl -fsS -u "$ID:$SECRET" -d token="$ACCESS" "$BASE/t/$TENANT/introspect"; echo
