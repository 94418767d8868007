"""An independent DPoP client against a running Tessera (RFC 9449): joserfc makes the key and
signs the proofs, requests sends them. Gets a client-credentials token bound to the key,
checks `token_type`, the token's `cnf.jkt` against joserfc's own RFC 7638 thumbprint, and
introspection's `cnf`; replays a proof and sends one for another URI. Prints one JSON object.

Usage: dpop_client_credentials.py ISSUER CLIENT_ID CLIENT_SECRET
"""
import json
import sys
import time
import uuid

import requests
from joserfc import jws, jwt
from joserfc.jwk import ECKey, KeySet


def proof(key: ECKey, method: str, url: str) -> str:
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    claims = {"jti": str(uuid.uuid4()), "htm": method, "htu": url, "iat": int(time.time())}
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=["ES256"])


def main() -> int:
    issuer, client_id, client_secret = sys.argv[1:4]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    assert "ES256" in metadata["dpop_signing_alg_values_supported"], metadata
    token_endpoint = metadata["token_endpoint"]
    key = ECKey.generate_key("P-256")
    auth = (client_id, client_secret)
    first = proof(key, "POST", token_endpoint)
    answer = requests.post(
        token_endpoint, auth=auth, data={"grant_type": "client_credentials"}, headers={"DPoP": first}, timeout=5)
    body = answer.json()
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
    claims = jwt.decode(body["access_token"], keys, algorithms=["ES256", "Ed25519", "RS256"]).claims
    introspection = requests.post(
        metadata["introspection_endpoint"], auth=auth, data={"token": body["access_token"]}, timeout=5).json()
    replay = requests.post(
        token_endpoint, auth=auth, data={"grant_type": "client_credentials"}, headers={"DPoP": first}, timeout=5)
    elsewhere = requests.post(
        token_endpoint, auth=auth, data={"grant_type": "client_credentials"},
        headers={"DPoP": proof(key, "POST", "https://elsewhere.example.com/token")}, timeout=5)
    print(json.dumps({
        "status": answer.status_code,
        "token_type": body.get("token_type"),
        "thumbprint": key.thumbprint(),
        "cnf": claims.get("cnf"),
        "introspection_cnf": introspection.get("cnf"),
        "replay": [replay.status_code, replay.json().get("error")],
        "elsewhere": [elsewhere.status_code, elsewhere.json().get("error")],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
