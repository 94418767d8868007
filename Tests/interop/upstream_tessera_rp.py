"""Sign-in through an upstream Tessera tenant (A) into another tenant (B), with authlib as B's
relying party. The admin APIs of both tenants register B as a client of A and A as B's identity
provider; a requests session plays the browser: B's login page, "Sign in with Corp", A's login
and consent, back to B's callback, B's consent, and authlib redeems B's code. Then a second
sign-in in a fresh browser must land on the same B user, and the link in B's database must be A's
iss + sub. Prints one JSON object; exits non-zero on any failure.

Usage: upstream_tessera_rp.py BASE_URL A_ADMIN_ID A_ADMIN_SECRET B_ADMIN_ID B_ADMIN_SECRET
       B_CLIENT_ID B_CLIENT_SECRET B_REDIRECT_URI USERNAME PASSWORD A_USER_ID DATABASE
"""
import json
import sqlite3
import sys
from urllib.parse import parse_qs, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.jwk import KeySet

from tessera_pages import read_form, read_forms, sign_in_and_approve


def admin_token(base: str, tenant: str, client_id: str, secret: str) -> str:
    reply = requests.post(f"{base}/t/{tenant}/token", data={"grant_type": "client_credentials"},
                          auth=(client_id, secret), timeout=10)
    reply.raise_for_status()
    return reply.json()["access_token"]


def upstream_sign_in(browser, authorization_endpoint: str, rp: OAuth2Session, verifier: str, username: str, password: str):
    """The browser from B's authorization request to B's redirect: (location, pages seen)."""
    url, _ = rp.create_authorization_url(
        authorization_endpoint, code_verifier=verifier, nonce=generate_token(16))
    page = browser.get(url, allow_redirects=False, timeout=10)
    seen = {"offered": "Sign in with Corp" in page.text}
    action, inputs = next((a, i) for a, i, _ in read_forms(page) if i.get("provider") == "corp")
    page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
    if page.status_code != 303:
        raise SystemExit(f"starting the upstream sign-in: {page.status_code} {page.text[:300]}")
    upstream = page.headers["Location"]
    seen["upstream_query"] = {k: v[0] for k, v in parse_qs(urlparse(upstream).query).items()}
    # At A: its login page, then its consent page for B's client, then back to B's callback.
    callback = sign_in_and_approve(browser, upstream, username, password)
    seen["callback"] = callback.split("?")[0]
    seen["callback_has_iss"] = "iss" in parse_qs(urlparse(callback).query)
    page = browser.get(callback, allow_redirects=False, timeout=10)
    if page.status_code == 200 and 'name="decision"' in page.text:
        seen["b_consent"] = True
        action, inputs, _ = read_form(page)
        inputs["decision"] = "approve"
        page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
    if page.status_code != 303:
        raise SystemExit(f"back at B: {page.status_code} {page.text[:300]}")
    return page.headers["Location"], seen


def main() -> int:
    (base, a_admin, a_secret, b_admin, b_secret, b_client, b_client_secret, b_redirect, username, password,
     a_user_id, database) = sys.argv[1:13]
    a_issuer, b_issuer = f"{base}/t/a", f"{base}/t/b"
    callback = f"{b_issuer}/login/upstream/callback"
    result = {}

    # B becomes a client of A, with B's fixed callback as its redirect URI.
    a_token = admin_token(base, "a", a_admin, a_secret)
    registered = requests.post(f"{a_issuer}/admin/v1/clients", headers={"Authorization": f"Bearer {a_token}"}, json={
        "name": "Shop (tenant B)", "grant_types": ["authorization_code"], "scope": "openid profile",
        "redirect_uris": [callback]}, timeout=10)
    if registered.status_code != 201:
        raise SystemExit(f"registering B at A: {registered.status_code} {registered.text}")
    upstream_client = registered.json()
    # A becomes B's identity provider.
    b_token = admin_token(base, "b", b_admin, b_secret)
    provider = requests.post(f"{b_issuer}/admin/v1/identity-providers", headers={"Authorization": f"Bearer {b_token}"},
                             json={"slug": "corp", "name": "Corp", "issuer": a_issuer,
                                   "client_id": upstream_client["client_id"],
                                   "client_secret": upstream_client["client_secret"],
                                   "scopes": ["openid", "profile"]}, timeout=10)
    if provider.status_code != 201:
        raise SystemExit(f"adding A to B: {provider.status_code} {provider.text}")
    result["redirect_uri_shown"] = provider.json()["redirect_uri"] == callback
    result["secret_hidden"] = upstream_client["client_secret"] not in provider.text

    metadata = requests.get(f"{b_issuer}/.well-known/openid-configuration", timeout=10).json()
    jwks = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    subjects = []
    for attempt in range(2):
        rp = OAuth2Session(b_client, b_client_secret, scope="openid profile", redirect_uri=b_redirect,
                           code_challenge_method="S256")
        verifier = generate_token(48)
        location, seen = upstream_sign_in(requests.Session(), metadata["authorization_endpoint"], rp, verifier, username, password)
        token = rp.fetch_token(metadata["token_endpoint"], authorization_response=location, code_verifier=verifier)
        claims = jwt.decode(token["id_token"], jwks).claims
        if claims["iss"] != b_issuer or claims["aud"] != b_client:
            raise SystemExit(f"B's ID token: {claims}")
        subjects.append(claims["sub"])
        result[f"sign_in_{attempt}"] = {**seen, "username": claims.get("preferred_username"),
                                        "amr": claims.get("amr")}
    result["same_user"] = subjects[0] == subjects[1]
    result["b_subject"] = subjects[0]

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        links = db.execute("SELECT issuer, subject, user_id FROM upstream_accounts").fetchall()
    result["links"] = [list(link) for link in links]
    result["linked_by_iss_sub"] = links == [(a_issuer, a_user_id, subjects[0])]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
