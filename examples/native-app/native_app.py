#!/usr/bin/env python3
"""Demo Shop for phones, as a command line: a native app (a public client, no secret) signs the
user in the way RFC 8252 tells native apps to, then keeps only a refresh token, safely.

- It listens on a loopback port the system picks (127.0.0.1:0) and sends the browser to Tessera
  with that port in the redirect URI: Tessera accepts any port for a registered
  `http://127.0.0.1/callback` (RFC 8252 §7.3).
- PKCE S256 proves that whoever redeems the code started the request, which is what replaces
  the secret a native app cannot keep; `state` ties the redirect to this run.
- The refresh token goes to a file only its owner can read (mode 0600, in ~/.config/) and is
  never printed. Tessera rotates it at every use: `--refresh` stores the new one.
- Every token is DPoP-bound (RFC 9449): the app makes a P-256 key when the user signs in, sends
  a proof by it with the code exchange, each refresh and each API call, and keeps the key beside
  the refresh token. A public client's refresh token is bound to that key (§5), so the token
  without the key, copied from a log or a backup, gets nobody anything.

Usage (from the folder where `tessera serve` and `scripts/demo` ran):

    python3 examples/native-app/native_app.py            # sign in (opens your browser)
    python3 examples/native-app/native_app.py --refresh  # a new access token, without the browser
    python3 examples/native-app/native_app.py --refresh --orders-api http://127.0.0.1:9090
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
import tempfile
import time
import uuid
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from joserfc import jws
from joserfc.jwk import ECKey

SCOPE = "offline_access orders:read"


class ProofKey:
    """The app's DPoP key (RFC 9449): it signs a proof for every request that carries or asks for
    a token, and the tokens are bound to it (`cnf.jkt`, its RFC 7638 thumbprint). A phone would
    make it non-exportable in the Secure Enclave or the Android Keystore; here it is a private
    JWK kept with the refresh token."""

    def __init__(self, key: ECKey) -> None:
        self.key = key
        self.nonce: str | None = None  # the server's latest DPoP-Nonce (§8), if it sends one

    @classmethod
    def generate(cls) -> "ProofKey":
        return cls(ECKey.generate_key("P-256"))

    @property
    def thumbprint(self) -> str:
        return self.key.thumbprint()

    def proof(self, method: str, url: str, access_token: str | None = None) -> str:
        """§4.2: a one-time JWT naming the request (method, URL without query) and, at an API,
        the token by its hash (`ath`)."""
        claims = {"jti": str(uuid.uuid4()), "htm": method, "htu": url.split("?")[0].split("#")[0],
                  "iat": int(time.time())}
        if access_token:
            digest = hashlib.sha256(access_token.encode("ascii")).digest()
            claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if self.nonce:
            claims["nonce"] = self.nonce
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.key.as_dict(private=False)}
        return jws.serialize_compact(header, json.dumps(claims).encode(), self.key, algorithms=["ES256"])

    def remember_nonce(self, response: requests.Response, *args, **kwargs) -> None:
        """A requests response hook: every answer to a proof may carry the nonce to use next."""
        if response.headers.get("DPoP-Nonce"):
            self.nonce = response.headers["DPoP-Nonce"]

    def token_request(self, client: OAuth2Session, url: str, send) -> dict:
        """Runs `send(headers)` (authlib's fetch_token or refresh_token) with a proof, once more
        with the server's nonce when it answers `use_dpop_nonce` (§8)."""
        if self.remember_nonce not in client.hooks["response"]:
            client.hooks["response"].append(self.remember_nonce)
        form = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}
        try:
            return send({**form, "DPoP": self.proof("POST", url)})
        except OAuthError as error:
            if error.error != "use_dpop_nonce" or not self.nonce:
                raise
            return send({**form, "DPoP": self.proof("POST", url)})


def default_token_file() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config_home) / "tessera-demo" / "native-app.json"


def load_settings(path: str) -> tuple[str, str, dict]:
    """The issuer and our client id from demo.json (scripts/demo), and the tenant's metadata."""
    with open(path, encoding="utf-8") as file:
        demo = json.load(file)
    issuer = demo["issuer"]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    if metadata.get("issuer") != issuer:
        raise SystemExit(f"discovery at {issuer} names another issuer: {metadata.get('issuer')}")
    return issuer, demo["native_app"]["client_id"], metadata


def save_refresh_token(path: Path, issuer: str, client_id: str, token: dict, key: ProofKey) -> None:
    """Writes the refresh token and the DPoP key it is bound to so that only this user can read
    them, and atomically: a crash halfway leaves the old file, never a half-written one (after a
    rotation the old token is dead, so losing the new one would mean signing in again). The two
    belong together: the token is refused without a proof by this key. A phone would use the
    Keychain or the Android Keystore instead."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    record = {"issuer": issuer, "client_id": client_id, "refresh_token": token["refresh_token"],
              "dpop_key": key.key.as_dict(private=True), "scope": token.get("scope"),
              "saved_at": int(time.time())}
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".native-app-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def load_refresh_token(path: Path, issuer: str, client_id: str) -> tuple[str, ProofKey]:
    if not path.exists():
        raise SystemExit(f"no stored sign-in at {path}: run without --refresh first")
    if path.stat().st_mode & 0o077:
        raise SystemExit(f"{path} is readable by others: refusing to use it (chmod 600 it, or sign in again)")
    record = json.loads(path.read_text(encoding="utf-8"))
    if (record.get("issuer"), record.get("client_id")) != (issuer, client_id):
        raise SystemExit(f"{path} holds a sign-in for another issuer or app: sign in again")
    if "dpop_key" not in record:
        raise SystemExit(f"{path} holds no DPoP key for its refresh token: sign in again")
    return record["refresh_token"], ProofKey(ECKey.import_key(record["dpop_key"]))


def claims_of(access_token: str) -> dict:
    """The access token's claims, read without checking the signature: this app is not its
    audience and only shows them; the API that receives the token verifies it."""
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def show(token: dict, token_file: Path, what: str, key: ProofKey) -> None:
    """Prints what the user may see: the access token's claims, never a token itself."""
    claims = claims_of(token["access_token"])
    if token.get("token_type") != "DPoP" or claims.get("cnf", {}).get("jkt") != key.thumbprint:
        raise SystemExit("the server did not bind the token to the app's DPoP key")
    print(f"{what}. The access token ({token['token_type']}, valid {token.get('expires_in')} s) says:")
    print(json.dumps({name: claims[name] for name in sorted(claims)}, indent=2))
    print(f"Stored the refresh token and its DPoP key in {token_file} (mode 0600).")


def show_orders(api: str, token: dict, key: ProofKey) -> None:
    """Calls the Orders API (examples/resource-server) as RFC 9449 §7 says: the token under the
    DPoP scheme, with a proof for this request that names the token."""
    url = f"{api}/orders"
    access_token = token["access_token"]
    answer = requests.get(url, timeout=10, headers={"Authorization": f"DPoP {access_token}",
                                                    "DPoP": key.proof("GET", url, access_token)})
    if answer.status_code != 200:
        raise SystemExit(f"the Orders API refused: {answer.status_code} {answer.headers.get('WWW-Authenticate')}")
    orders = answer.json().get("orders", [])
    print(f"Your orders ({answer.json().get('binding')}-bound token): "
          + ", ".join(f"{order['id']} {order['item']}" for order in orders))


class LoopbackListener(HTTPServer):
    """The redirect target: 127.0.0.1 on a port the system picked. It waits for the one request
    that answers this sign-in (its `state`) and keeps its query parameters in `answer`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RedirectHandler)
        self.state = ""
        self.answer: dict[str, str] = {}

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/callback"

    def wait(self, timeout: float) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while not self.answer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SystemExit("no sign-in within the time allowed; run again")
            self.timeout = remaining
            self.handle_request()
        return self.answer


class RedirectHandler(BaseHTTPRequestHandler):
    """Answers the browser. Anything but /callback (a browser may ask for /favicon.ico first) is
    404; a /callback with another `state` (a stale tab, or someone else's request) is refused and
    the listener goes on waiting."""

    server: LoopbackListener

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path != "/callback":
            return self.send_error(404)
        if not secrets.compare_digest(query.get("state", ""), self.server.state):
            return self.reply(400, "This page does not answer the sign-in under way.")
        self.server.answer = query
        self.reply(200, "Signed in. You can close this window and go back to the app." if "code" in query
                   else "Sign-in did not complete. Go back to the app.")

    def reply(self, status: int, text: str) -> None:
        body = f"<!doctype html><meta charset=utf-8><title>Demo Shop</title><p>{text}</p>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # the query carries the code: keep it out of the terminal


def sign_in(issuer: str, client_id: str, metadata: dict, token_file: Path, open_browser: bool,
            timeout: float, api: str | None) -> int:
    """The authorization code flow with PKCE on a loopback redirect, then the code exchange with
    a proof by a new DPoP key."""
    listener = LoopbackListener()
    try:
        client = OAuth2Session(client_id, scope=SCOPE, redirect_uri=listener.redirect_uri,
                               code_challenge_method="S256", token_endpoint_auth_method="none",
                               default_timeout=10)
        verifier = generate_token(64)
        url, listener.state = client.create_authorization_url(metadata["authorization_endpoint"],
                                                              code_verifier=verifier)
        print("Sign in to Demo Shop in your browser. If it did not open, open this URL:", flush=True)
        print(url, flush=True)
        if open_browser:
            webbrowser.open(url)
        answer = listener.wait(timeout)
    finally:
        listener.server_close()
    if answer.get("iss", issuer) != issuer:  # RFC 9207: the answer comes from the issuer we asked
        raise SystemExit(f"the redirect comes from another issuer: {answer['iss']}")
    if "error" in answer:
        raise SystemExit(f"sign-in refused: {answer.get('error_description') or answer['error']}")
    key = ProofKey.generate()
    endpoint = metadata["token_endpoint"]
    try:
        token = key.token_request(client, endpoint, lambda headers: client.fetch_token(
            endpoint, code=answer["code"], code_verifier=verifier, grant_type="authorization_code",
            headers=headers))
    except OAuthError as error:
        raise SystemExit(f"the code exchange failed: {error.error}: {error.description}") from None
    save_refresh_token(token_file, issuer, client_id, token, key)
    show(token, token_file, "Signed in", key)
    if api:
        show_orders(api, token, key)
    return 0


def refresh(issuer: str, client_id: str, metadata: dict, token_file: Path, api: str | None) -> int:
    """A new access token from the stored refresh token, with a proof by the stored key (the
    refresh token is bound to it); Tessera rotates the refresh token, so the new one replaces the
    old (which is dead now: presenting it again would revoke them all)."""
    client = OAuth2Session(client_id, token_endpoint_auth_method="none", default_timeout=10)
    refresh_token, key = load_refresh_token(token_file, issuer, client_id)
    endpoint = metadata["token_endpoint"]
    try:
        token = key.token_request(client, endpoint, lambda headers: client.refresh_token(
            endpoint, refresh_token=refresh_token, headers=headers))
    except OAuthError as error:
        raise SystemExit(f"refresh refused ({error.error}): sign in again") from None
    save_refresh_token(token_file, issuer, client_id, token, key)
    show(token, token_file, "Refreshed", key)
    if api:
        show_orders(api, token, key)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=".tessera/demo.json", help="written by scripts/demo")
    parser.add_argument("--token-file", type=Path, default=default_token_file(),
                        help="where the refresh token is kept (default: %(default)s)")
    parser.add_argument("--refresh", action="store_true", help="use the stored refresh token instead of signing in")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL to open")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the browser")
    parser.add_argument("--orders-api", help="then show the user's orders from this API (examples/resource-server)")
    arguments = parser.parse_args()
    issuer, client_id, metadata = load_settings(arguments.config)
    if arguments.refresh:
        return refresh(issuer, client_id, metadata, arguments.token_file, arguments.orders_api)
    return sign_in(issuer, client_id, metadata, arguments.token_file, not arguments.no_browser, arguments.timeout,
                   arguments.orders_api)


if __name__ == "__main__":
    sys.exit(main())
