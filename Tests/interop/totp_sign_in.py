"""Password and TOTP against a running Tessera: pyotp (an independent RFC 6238 implementation)
computes the codes from the otpauth:// URI the help-desk command printed; a requests session
plays the user. Checks that the password alone leads to the code page, that a wrong code and a
code used before are refused there, and that the right code completes the code flow with an ID token whose amr is pwd, otp, mfa. Prints one
JSON object; exits non-zero on any failure.

Usage: totp_sign_in.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD OTPAUTH_URI RECOVERY_CODE
"""
import base64
import hashlib
import json
import secrets
import sys
import time
from urllib.parse import parse_qs, urlencode, urlparse

import pyotp
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tessera_pages import read_form


def start(issuer: str, client_id: str, redirect_uri: str, username: str, password: str):
    """A fresh browser through the login form: (browser, the page that follows, verifier)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid",
        "state": secrets.token_urlsafe(8), "code_challenge": challenge, "code_challenge_method": "S256"})
    browser = requests.Session()
    page = browser.get(f"{issuer}/authorize?{query}", timeout=10)
    action, inputs, _ = read_form(page)
    inputs.update(username=username, password=password)
    return browser, browser.post(action, data=inputs, allow_redirects=False, timeout=10), verifier


def submit_code(browser, page, code: str):
    action, inputs, _ = read_form(page)
    inputs["otp"] = code
    return browser.post(action, data=inputs, allow_redirects=False, timeout=10)


def main() -> int:
    issuer, client_id, client_secret, redirect_uri, username, password, uri, recovery = sys.argv[1:9]
    totp = pyotp.parse_uri(uri)
    result = {"issuer_in_uri": totp.issuer, "digits": totp.digits, "interval": totp.interval}

    browser, page, verifier = start(issuer, client_id, redirect_uri, username, password)
    result["code_page"] = page.status_code == 200 and 'name="otp"' in page.text and 'name="password"' not in page.text
    wrong = submit_code(browser, page, totp.at(time.time() - 3600))
    result["wrong_status"] = wrong.status_code
    # Avoid the last seconds of a step, so the code below is still current when it arrives.
    while time.time() % 30 > 25:
        time.sleep(1)
    code = totp.now()
    page = submit_code(browser, wrong, code)
    if page.status_code == 200 and 'name="decision"' in page.text:
        action, inputs, _ = read_form(page)
        inputs["decision"] = "approve"
        page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
    if page.status_code != 303:
        raise SystemExit(f"expected a redirect with the code, got {page.status_code}: {page.text[:300]}")
    authorization_code = parse_qs(urlparse(page.headers["Location"]).query)["code"][0]
    token = requests.post(
        f"{issuer}/token", auth=(client_id, client_secret), timeout=10,
        data={"grant_type": "authorization_code", "code": authorization_code, "code_verifier": verifier,
              "redirect_uri": redirect_uri})
    result["token_status"] = token.status_code
    # The ID token says how the user signed in (RFC 8176 amr); joserfc verifies it.
    keys = KeySet.import_key_set(requests.get(f"{issuer}/jwks.json", timeout=5).json())
    result["amr"] = jwt.decode(token.json()["id_token"], keys, algorithms=["ES256", "Ed25519", "EdDSA"]).claims.get("amr")

    # The same code again, in another browser with the right password: used, so refused.
    other, page, _ = start(issuer, client_id, redirect_uri, username, password)
    result["replay_status"] = submit_code(other, page, code).status_code

    # A recovery code, typed in lower case without dashes, opens one sign-in; the second try is refused.
    for attempt in ("recovery_status", "recovery_again_status"):
        browser, page, _ = start(issuer, client_id, redirect_uri, username, password)
        result[attempt] = submit_code(browser, page, recovery.replace("-", "").lower()).status_code
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
