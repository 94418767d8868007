"""Verifies one access token with joserfc against the JWKS of one or more Tessera instances.

Usage: verify_token.py ISSUER TOKEN BASE_URL...
Each BASE_URL is an instance's issuer URL; its JWKS is fetched through discovery. Prints the
header's kid and alg; exits non-zero if any instance's JWKS does not verify the token.
"""
import json
import sys

import requests
from joserfc import jwt
from joserfc.jwk import KeySet


def main() -> int:
    issuer, token, bases = sys.argv[1], sys.argv[2], sys.argv[3:]
    for base in bases:
        metadata = requests.get(f"{base}/.well-known/openid-configuration", timeout=5).json()
        keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
        decoded = jwt.decode(token, keys, algorithms=["ES256", "EdDSA", "RS256"])
        if decoded.header.get("typ") != "at+jwt":
            raise SystemExit(f"typ is {decoded.header.get('typ')}")
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}).validate(decoded.claims)
    print(json.dumps({"kid": decoded.header["kid"], "alg": decoded.header["alg"], "verified_by": len(bases)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
