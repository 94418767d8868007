"""A small fake upstream OpenID Provider (http.server + joserfc on loopback) for tenant B of a
running Tessera. One issuer per scenario under one port; B gets one identity provider per
scenario through its admin API. "ok" authenticates with private_key_jwt (the assertion is
verified with the JWKS B's admin API showed) and signs in a new user; the others issue ID tokens
with a wrong aud, a wrong nonce, a bad signature and a wrong iss, and "email" maps the username
from an e-mail an existing B user is named after. Each refusal must be a clear page, with no
user and no link created. Prints one JSON object; exits non-zero on a setup failure.

Usage: upstream_fake_op.py B_ISSUER B_ADMIN_ID B_ADMIN_SECRET B_CLIENT_ID B_REDIRECT_URI EXISTING_USERNAME DATABASE
"""
import base64
import hashlib
import json
import secrets
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from tessera_pages import read_forms

SCENARIOS = ["ok", "aud", "nonce", "sig", "iss", "email"]
SIGNING = ECKey.generate_key("P-256", parameters={"kid": "fake-key-1", "alg": "ES256", "use": "sig"})
# Same kid, another key: what "sig" signs with.
IMPOSTOR = ECKey.generate_key("P-256", parameters={"kid": "fake-key-1", "alg": "ES256", "use": "sig"})
CLIENT_ID = "tessera-b"
CLIENT_SECRET = "fake-secret-value"
STATE = {"codes": {}, "assertion_keys": None, "token_requests": []}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def scenario(self):
        parts = urlparse(self.path).path.strip("/").split("/", 1)
        return parts[0], "/" + (parts[1] if len(parts) > 1 else "")

    def issuer(self, scenario):
        return f"http://127.0.0.1:{self.server.server_port}/{scenario}"

    def do_GET(self):
        scenario, rest = self.scenario()
        issuer = self.issuer(scenario)
        if rest == "/.well-known/openid-configuration":
            return self.answer(200, {
                "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
                "id_token_signing_alg_values_supported": ["ES256"], "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "authorization_response_iss_parameter_supported": True,
            }, {"Cache-Control": "max-age=300"})
        if rest == "/jwks":
            return self.answer(200, KeySet([SIGNING]).as_dict(private=False))
        if rest == "/authorize":
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            code = secrets.token_urlsafe(24)
            STATE["codes"][code] = query
            location = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"], "iss": issuer})
            return self.answer(302, None, {"Location": location})
        self.answer(404, {"error": "not_found"})

    def do_POST(self):
        scenario, rest = self.scenario()
        issuer = self.issuer(scenario)
        if rest != "/token":
            return self.answer(404, {"error": "not_found"})
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
        STATE["token_requests"].append(scenario)
        request = STATE["codes"].pop(form.get("code", ""), None)
        if request is None or request["redirect_uri"] != form.get("redirect_uri"):
            return self.answer(400, {"error": "invalid_grant"})
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
        if challenge.rstrip(b"=").decode() != request["code_challenge"] or request["code_challenge_method"] != "S256":
            return self.answer(400, {"error": "invalid_grant", "error_description": "PKCE"})
        if scenario == "ok":
            try:
                assertion = jwt.decode(form["client_assertion"], STATE["assertion_keys"])
                claims = assertion.claims
                if not (claims["iss"] == claims["sub"] == CLIENT_ID and claims["aud"] == f"{issuer}/token"
                        and form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
                    raise ValueError(claims)
            except Exception as error:  # noqa: BLE001 - any failure is invalid_client
                return self.answer(401, {"error": "invalid_client", "error_description": str(error)})
        elif form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return self.answer(401, {"error": "invalid_client"})
        now = int(time.time())
        claims = {
            "iss": issuer + ("-evil" if scenario == "iss" else ""), "sub": f"fake-{scenario}",
            "aud": "another-client" if scenario == "aud" else CLIENT_ID,
            "nonce": "not-the-nonce" if scenario == "nonce" else request["nonce"], "iat": now, "exp": now + 300,
            "preferred_username": f"{scenario}-upstream", "email": STATE["existing"],
        }
        key = IMPOSTOR if scenario == "sig" else SIGNING
        token = jwt.encode({"alg": "ES256", "kid": "fake-key-1", "typ": "JWT"}, claims, key)
        self.answer(200, {"access_token": "opaque", "token_type": "Bearer", "id_token": token})


def main() -> int:
    b_issuer, b_admin, b_secret, b_client, b_redirect, existing, database = sys.argv[1:8]
    STATE["existing"] = existing
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port

    token = requests.post(f"{b_issuer}/token", data={"grant_type": "client_credentials"},
                          auth=(b_admin, b_secret), timeout=10).json()["access_token"]
    for scenario in SCENARIOS:
        body = {"slug": scenario, "name": f"Fake {scenario}", "issuer": f"http://127.0.0.1:{port}/{scenario}",
                "client_id": CLIENT_ID, "scopes": ["openid", "profile", "email"]}
        if scenario == "ok":
            body["token_endpoint_auth_method"] = "private_key_jwt"
        else:
            body.update(token_endpoint_auth_method="client_secret_post", client_secret=CLIENT_SECRET)
        if scenario == "email":
            body["username_claim"] = "email"
        created = requests.post(f"{b_issuer}/admin/v1/identity-providers", json=body,
                                headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if created.status_code != 201:
            raise SystemExit(f"creating {scenario}: {created.status_code} {created.text}")
        if scenario == "ok":
            STATE["assertion_keys"] = KeySet.import_key_set(json.loads(created.json()["jwks"]))

    def users():
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return {row[0]: row[1] for row in db.execute("SELECT username, id FROM users")}

    def links():
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return {row[0]: row[1] for row in db.execute("SELECT subject, user_id FROM upstream_accounts")}

    result = {}
    for scenario in SCENARIOS:
        before = users()
        browser = requests.Session()
        query = urlencode({"response_type": "code", "client_id": b_client, "redirect_uri": b_redirect,
                           "scope": "openid profile", "state": "s", "nonce": secrets.token_urlsafe(8),
                           "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(b"v" * 43).digest()).rstrip(b"=").decode(),
                           "code_challenge_method": "S256"})
        page = browser.get(f"{b_issuer}/authorize?{query}", timeout=10)
        action, inputs = next((a, i) for a, i, _ in read_forms(page) if i.get("provider") == scenario)
        page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
        page = browser.get(page.headers["Location"], allow_redirects=False, timeout=10)  # the fake's authorize
        page = browser.get(page.headers["Location"], allow_redirects=False, timeout=10)  # B's callback
        after = users()
        result[scenario] = {
            "status": page.status_code, "text": page.text[page.text.find("<h1>"):][:400],
            "signed_in": "tessera_session" in browser.cookies.get_dict(),
            "new_users": sorted(set(after) - set(before)), "linked_to": links().get(f"fake-{scenario}"),
        }
    result["existing_user_id"] = users().get(existing)
    result["token_requests"] = STATE["token_requests"]
    server.shutdown()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
