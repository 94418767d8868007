"""RFC 9470 step-up, end to end: an app signs a user in with a password, calls the resource-server
example's /invoices, is refused with insufficient_user_authentication and the acr_values to ask
for, sends the user back to Tessera with those acr_values, the user sets up an authenticator
app inside the sign-in (pyotp computes the code, as the app would), and the new token, whose
acr says two factors, is taken. A requests session plays the browser; authlib-free on purpose:
every step is the plain HTTP a client makes. Prints one JSON object; exits non-zero on failure.

Usage: step_up.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD API_BASE
"""
import base64
import hashlib
import html
import json
import re
import secrets
import sys
from urllib.parse import parse_qs, urlencode, urlparse

import pyotp
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tessera_pages import read_form


def main() -> int:
    issuer, client_id, client_secret, redirect_uri, username, password, api = sys.argv[1:8]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
    browser = requests.Session()
    result: dict = {"acr_values_supported": metadata.get("acr_values_supported")}

    def authorize(extra: dict) -> tuple:
        verifier = secrets.token_urlsafe(48)
        query = {
            "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
            "scope": "openid billing:read", "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
            "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode(),
            "code_challenge_method": "S256", **extra}
        return browser.get(f"{metadata['authorization_endpoint']}?{urlencode(query)}", allow_redirects=False,
                           timeout=10), verifier

    def approve_and_redeem(page, verifier) -> dict:
        if page.status_code == 200 and 'name="decision"' in page.text:
            action, inputs, _ = read_form(page)
            page = browser.post(action, data={**inputs, "decision": "approve"}, allow_redirects=False, timeout=10)
        if page.status_code != 303:
            raise SystemExit(f"expected a redirect with the code, got {page.status_code}: {page.text[:300]}")
        code = parse_qs(urlparse(page.headers["Location"]).query)["code"][0]
        token = requests.post(metadata["token_endpoint"], auth=(client_id, client_secret), timeout=10, data={
            "grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": redirect_uri})
        if token.status_code != 200:
            raise SystemExit(f"token endpoint: {token.status_code} {token.text}")
        return token.json()

    # A password sign-in: one factor.
    page, verifier = authorize({})
    action, inputs, _ = read_form(page)
    page = browser.post(action, data={**inputs, "username": username, "password": password}, allow_redirects=False,
                        timeout=10)
    first = approve_and_redeem(page, verifier)
    result["first_amr"] = jwt.decode(first["id_token"], keys, algorithms=["ES256", "Ed25519", "EdDSA", "RS256"]).claims.get("amr")
    weak = requests.get(f"{api}/invoices", headers={"Authorization": f"Bearer {first['access_token']}"}, timeout=10)
    result["first_status"] = weak.status_code
    challenge = weak.headers.get("WWW-Authenticate", "")
    result["first_error"] = (re.search(r'error="([^"]+)"', challenge) or [None, None])[1]
    acr_values = (re.search(r'acr_values="([^"]+)"', challenge) or [None, None])[1]
    result["asked_acr_values"] = acr_values

    # Back to Tessera with what the API asked for: the session has one factor, the user has none
    # set up, so the sign-in continues with setting one up.
    page, verifier = authorize({"acr_values": acr_values})
    result["setup_page"] = page.status_code == 200 and "otpauth://" in page.text
    uri = html.unescape(re.search(r'href="(otpauth://[^"]+)"', page.text).group(1))
    action, inputs, _ = read_form(page)
    page = browser.post(action, data={**inputs, "otp": pyotp.parse_uri(uri).now()}, allow_redirects=False, timeout=10)
    result["recovery_codes"] = len(re.findall(r"<code>[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}</code>", page.text))
    action, inputs, _ = read_form(page)
    page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
    second = approve_and_redeem(page, verifier)
    id_claims = jwt.decode(second["id_token"], keys, algorithms=["ES256", "Ed25519", "EdDSA", "RS256"]).claims
    access_claims = jwt.decode(second["access_token"], keys, algorithms=["ES256", "Ed25519", "EdDSA", "RS256"]).claims
    result["second_amr"] = id_claims.get("amr")
    result["second_acr"] = id_claims.get("acr")
    result["access_acr"] = access_claims.get("acr")
    strong = requests.get(f"{api}/invoices", headers={"Authorization": f"Bearer {second['access_token']}"}, timeout=10)
    result["second_status"] = strong.status_code
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
