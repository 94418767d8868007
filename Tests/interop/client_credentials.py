"""Independent clients against a running Tessera: authlib obtains a client-credentials token,
joserfc verifies it with the tenant's published JWKS (found through discovery, as any resource
server would). Prints one JSON object; exits non-zero on any failure.

Usage: client_credentials.py ISSUER CLIENT_ID CLIENT_SECRET [AUTH_METHOD] [JWKS_ISSUER...]
  AUTH_METHOD: client_secret_basic (default) or client_secret_post
  JWKS_ISSUER: further base URLs of instances whose JWKS must verify the token too
"""
import json
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet


def verify(token: str, issuer: str, jwks_base: str) -> dict:
    metadata = requests.get(f"{jwks_base}/.well-known/openid-configuration", timeout=5).json()
    jwks = requests.get(metadata["jwks_uri"], timeout=5).json()
    keys = KeySet.import_key_set(jwks)
    decoded = jwt.decode(token, keys, algorithms=["ES256", "EdDSA", "RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        sub={"essential": True}, aud={"essential": True}, exp={"essential": True},
        iat={"essential": True}, nbf={"essential": True}, jti={"essential": True},
        client_id={"essential": True}, scope={"essential": True},
    )
    registry.validate(decoded.claims)
    return {"header": decoded.header, "claims": decoded.claims}


def main() -> int:
    issuer, client_id, client_secret = sys.argv[1:4]
    method = sys.argv[4] if len(sys.argv) > 4 else "client_secret_basic"
    extra = sys.argv[5:]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    session = OAuth2Session(client_id, client_secret, token_endpoint_auth_method=method)
    token = session.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")
    results = [verify(token["access_token"], issuer, base) for base in [issuer] + extra]
    print(json.dumps({
        "token_type": token["token_type"],
        "expires_in": token["expires_in"],
        "scope": token.get("scope"),
        "header": results[0]["header"],
        "claims": results[0]["claims"],
        "verified_by": len(results),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
