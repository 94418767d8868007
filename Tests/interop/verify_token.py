"""Verifies one access token with joserfc against the JWKS of one or more Tessera instances.

Usage: verify_token.py ISSUER TOKEN JWKS_URL...
Prints the header's kid and alg; exits non-zero if any JWKS does not verify the token, if `typ`
is not at+jwt, or if `iss` is not ISSUER.
"""
import json
import sys

import requests
from joserfc import jwt
from joserfc.jwk import KeySet


def main() -> int:
    issuer, token, jwks_urls = sys.argv[1], sys.argv[2], sys.argv[3:]
    for url in jwks_urls:
        keys = KeySet.import_key_set(requests.get(url, timeout=5).json())
        decoded = jwt.decode(token, keys, algorithms=["ES256", "Ed25519", "RS256"])
        if decoded.header.get("typ") != "at+jwt":
            raise SystemExit(f"typ is {decoded.header.get('typ')}")
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}).validate(decoded.claims)
    print(json.dumps({"kid": decoded.header["kid"], "alg": decoded.header["alg"], "verified_by": len(jwks_urls)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
