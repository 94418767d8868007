"""An independent OAuth client (authlib) completes the authorization code flow with PKCE S256
against a running Tessera, then refreshes; joserfc verifies the ID token (signature with the
published JWKS, iss, aud, nonce, at_hash). The user's part (login and consent forms) is played
by a plain requests session. Prints one JSON object; exits non-zero on any failure.

With ID_TOKEN_ALG (a client registered with `id_token_signed_response_alg`, OIDC Registration
§2) the ID token is verified with that algorithm only, which discovery must list.

Usage: authorization_code.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD [ID_TOKEN_ALG]
"""
import base64
import hashlib
import json
import secrets
import sys
import time

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from tessera_pages import sign_in_and_approve


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def main() -> int:
    issuer, client_id, client_secret, redirect_uri, username, password = sys.argv[1:7]
    id_token_algorithms = sys.argv[7:8] or ["ES256", "EdDSA", "RS256"]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    assert "S256" in metadata["code_challenge_methods_supported"], metadata
    if len(sys.argv) > 7:
        assert sys.argv[7] in metadata["id_token_signing_alg_values_supported"], metadata
    session = OAuth2Session(
        client_id, client_secret, scope="openid profile orders:read", redirect_uri=redirect_uri,
        code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    nonce = secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

    callback = sign_in_and_approve(requests.Session(), url, username, password)
    # authlib checks `state` against the one it sent.
    token = session.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    jwks = requests.get(metadata["jwks_uri"], timeout=5).json()
    keys = KeySet.import_key_set(jwks)
    id_token = jwt.decode(token["id_token"], keys, algorithms=id_token_algorithms)
    id_token_jwk = next(key for key in jwks["keys"] if key["kid"] == id_token.header["kid"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce}, auth_time={"essential": True},
        at_hash={"essential": True, "value": at_hash(token["access_token"])},
    ).validate(id_token.claims)
    access = jwt.decode(token["access_token"], keys, algorithms=["ES256", "EdDSA", "RS256"])
    assert access.header["typ"] == "at+jwt", access.header

    userinfo = session.get(metadata["userinfo_endpoint"], timeout=5).json()
    refreshed = session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"], "the refresh token must rotate"
    # The used refresh token is dead now (and presenting it revokes the family).
    reused = requests.post(
        metadata["token_endpoint"], auth=(client_id, client_secret), timeout=5,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
    # Revoking the family also revoked the access tokens it issued: introspection says inactive
    # (within the change feed's round at most) for the code's and the refresh's alike.
    def active(access_token: str) -> bool:
        return requests.post(
            metadata["introspection_endpoint"], auth=(client_id, client_secret), timeout=5,
            data={"token": access_token}).json().get("active")

    deadline = time.time() + 5
    while time.time() < deadline and any(active(t) for t in (token["access_token"], refreshed["access_token"])):
        time.sleep(0.2)
    print(json.dumps({
        "revoked_family_access_active": [active(token["access_token"]), active(refreshed["access_token"])],
        "state_returned": state in callback,
        "scope": token["scope"],
        "id_token": id_token.claims,
        "id_token_header": id_token.header,
        "id_token_jwk": id_token_jwk,
        "access_token": access.claims,
        "userinfo": userinfo,
        "refreshed_scope": refreshed["scope"],
        "reuse_status": reused.status_code,
        "reuse_error": reused.json().get("error"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
