"""OIDC Back-Channel Logout 1.0 against a running Tessera: a requests session signs a user in at a
client whose backchannel_logout_uri is a listener of this script on loopback, then signs out at
the end_session_endpoint with the ID token as hint. The listener receives the logout token;
joserfc (an independent JOSE library) verifies it with the tenant's JWKS, and the claims are
checked against §2.4: iss, aud, iat, exp, jti, events, sid and sub matching the ID token, no
nonce, header typ logout+jwt. Prints one JSON object; exits non-zero on a broken flow.

Modes: "up" answers 200 at once. "flaky" leaves the port closed for a while after the sign-out
(connections refused), then answers 500 once, then 200: the server must retry until it lands.

Usage: backchannel_logout.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD PORT MODE
"""
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from joserfc import jws, jwt
from joserfc.jwk import KeySet

from tessera_pages import sign_in_and_approve

EVENT = "http://schemas.openid.net/event/backchannel-logout"


class Listener:
    """The client's back-channel logout endpoint: records each POST, answers per plan."""

    def __init__(self, port: int, answers: list[int]):
        self.port = port
        self.answers = answers
        self.received: list[dict] = []
        self.server = None

    def start(self):
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                status = listener.answers[min(len(listener.received), len(listener.answers) - 1)]
                listener.received.append({
                    "at": time.time(), "content_type": self.headers.get("Content-Type"), "body": body,
                    "answered": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()


def main() -> int:
    issuer, client_id, client_secret, redirect_uri, username, password, port, mode = sys.argv[1:9]
    port = int(port)
    listener = Listener(port, [200] if mode == "up" else [500, 200])
    if mode == "up":
        listener.start()

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid",
        "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8), "code_challenge": challenge,
        "code_challenge_method": "S256"})
    browser = requests.Session()
    location = sign_in_and_approve(browser, f"{issuer}/authorize?{query}", username, password)
    code = parse_qs(urlparse(location).query)["code"][0]
    tokens = requests.post(
        f"{issuer}/token", auth=(client_id, client_secret), timeout=10,
        data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
              "redirect_uri": redirect_uri}).json()
    keys = KeySet.import_key_set(requests.get(f"{issuer}/jwks.json", timeout=5).json())
    algorithms = ["ES256", "Ed25519", "EdDSA", "RS256"]
    id_claims = jwt.decode(tokens["id_token"], keys, algorithms=algorithms).claims

    # RP-initiated logout with the ID token as hint: signed out at once, no page.
    signed_out = browser.get(
        f"{issuer}/end_session", params={"id_token_hint": tokens["id_token"]}, allow_redirects=False, timeout=10)
    signed_out_at = time.time()
    result = {"end_session_status": signed_out.status_code, "id_token_sid": id_claims.get("sid")}
    if mode == "flaky":
        # Longer than the HTTP client's connect timeout (3 s), so at least one attempt fails on it.
        time.sleep(6)
        listener.start()

    deadline = time.time() + 40
    while time.time() < deadline and not any(r["answered"] == 200 for r in listener.received):
        time.sleep(0.1)
    listener.stop()
    result["answers"] = [r["answered"] for r in listener.received]
    delivered = next((r for r in listener.received if r["answered"] == 200), None)
    if delivered is None:
        print(json.dumps(result))
        return 1
    result["delivered_after"] = round(delivered["at"] - signed_out_at, 2)
    result["content_type"] = delivered["content_type"]
    form = parse_qs(delivered["body"])
    result["form_members"] = sorted(form)
    token = form["logout_token"][0]

    # Verified by joserfc with the tenant's JWKS; its own header and claims, as sent.
    verified = jwt.decode(token, keys, algorithms=algorithms)
    header = jws.extract_compact(token.encode()).protected
    claims = verified.claims
    result["typ"] = header.get("typ")
    result["kid_in_jwks"] = any(k.kid == header.get("kid") for k in keys.keys)
    result["claim_names"] = sorted(claims)
    now = time.time()
    result["checks"] = {
        "iss": claims.get("iss") == issuer,
        "aud": claims.get("aud") == client_id or claims.get("aud") == [client_id],
        "iat": isinstance(claims.get("iat"), int) and abs(claims["iat"] - now) < 120,
        "exp_short": isinstance(claims.get("exp"), int) and 0 < claims["exp"] - claims["iat"] <= 300,
        "jti": isinstance(claims.get("jti"), str) and len(claims["jti"]) >= 16,
        "events": claims.get("events") == {EVENT: {}},
        "sid": claims.get("sid") == id_claims.get("sid") and bool(claims.get("sid")),
        "sub": claims.get("sub") == id_claims.get("sub"),
        "no_nonce": "nonce" not in claims,
    }
    # Every delivered attempt carried the same jti (§2.6: the client can tell repeats apart).
    jtis = {jwt.decode(parse_qs(r["body"])["logout_token"][0], keys, algorithms=algorithms).claims["jti"]
            for r in listener.received}
    result["one_jti"] = len(jtis) == 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
