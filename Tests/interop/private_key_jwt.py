"""private_key_jwt (RFC 7523) with independent libraries: joserfc makes the client's key pair,
authlib signs the client assertion and fetches a client-credentials token; then the same
assertion is replayed by hand and must be refused.

Usage:
  private_key_jwt.py keygen KEY_FILE JWKS_FILE      write a private JWK and the public JWKS
  private_key_jwt.py token ISSUER CLIENT_ID KEY_FILE
Prints one JSON object; exits non-zero on failure.
"""
import json
import sys
import time
import uuid

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import RSAKey


def keygen(key_file: str, jwks_file: str) -> int:
    # authlib's PrivateKeyJWT signs with an RSA key (RS256) by default.
    key = RSAKey.generate_key(2048, parameters={"kid": "client-key-1", "alg": "RS256", "use": "sig"})
    with open(key_file, "w") as f:
        json.dump(key.as_dict(private=True), f)
    with open(jwks_file, "w") as f:
        json.dump({"keys": [key.as_dict(private=False)]}, f)
    print(json.dumps({"kid": "client-key-1"}))
    return 0


def token(issuer: str, client_id: str, key_file: str) -> int:
    key = json.load(open(key_file))
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    endpoint = metadata["token_endpoint"]
    session = OAuth2Session(client_id, key, token_endpoint_auth_method=PrivateKeyJWT(endpoint, alg="RS256"))
    issued = session.fetch_token(endpoint, grant_type="client_credentials")

    # Replay: one assertion, sent twice.
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "RS256", "kid": "client-key-1"},
        {"iss": client_id, "sub": client_id, "aud": endpoint, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())},
        RSAKey.import_key(key),
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    first = requests.post(endpoint, data=form, timeout=5)
    second = requests.post(endpoint, data=form, timeout=5)
    print(json.dumps({
        "token_type": issued["token_type"],
        "scope": issued.get("scope"),
        "first_use": first.status_code,
        "replay": second.status_code,
        "replay_error": second.json().get("error"),
    }))
    return 0


if __name__ == "__main__":
    command = sys.argv[1]
    sys.exit(keygen(*sys.argv[2:4]) if command == "keygen" else token(*sys.argv[2:5]))
