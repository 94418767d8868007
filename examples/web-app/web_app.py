#!/usr/bin/env python3
"""Demo Shop web app: a third-party web application (a confidential OAuth client) that signs a
user in through Tessera and shows them their orders from the Orders API, on their behalf.

It is deliberately small and uses only authlib (OAuth), joserfc (the ID token) and the standard
library (HTTP server), to show that Tessera needs no client library of its own:

- sign-in: authorization code flow with PKCE S256, `state`, and OpenID Connect (`nonce`, an ID
  token verified with the tenant's published keys);
- tokens stay on the server, in a session found by a random id in a cookie; the browser never
  sees them;
- the access token is refreshed when it has expired (or when the API says `invalid_token`), and
  the new refresh token replaces the old one each time: Tessera rotates them, and a used one is
  dead.

Usage (from the folder where `tessera serve` and `scripts/demo` ran):

    python3 examples/web-app/web_app.py [--orders-api http://127.0.0.1:9090] [--port 5173]
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import logging
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http import cookies
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SCOPE = "openid profile offline_access orders:read"
COOKIE = "demo_shop_session"
log = logging.getLogger("web-app")


@dataclass
class Config:
    """What the app knows about Tessera and the API, from demo.json and the command line."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    orders_api: str
    metadata: dict


@dataclass
class Session:
    """One browser's state, kept on the server. `lock` serializes token refreshes: two refreshes
    with the same (rotating) refresh token would look like theft to Tessera, which then revokes
    the whole family."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    pending: dict | None = None  # state, nonce and PKCE verifier of a sign-in under way
    token: dict | None = None  # the token response, with expires_at
    user: str | None = None
    refreshes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Sessions:
    """Sessions by random id. In memory: a real app would use its database or Redis."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session | None:
        with self._lock:
            return self._by_id.get(session_id or "")

    def create(self) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._by_id[session_id] = session = Session()
        return session_id, session

    def replace(self, old_id: str, session: Session) -> str:
        """A new id for a session whose privilege changed (sign-in), so an id planted in the
        browser before sign-in is worthless after it (session fixation)."""
        new_id = secrets.token_urlsafe(32)
        with self._lock:
            self._by_id.pop(old_id, None)
            self._by_id[new_id] = session
        return new_id

    def drop(self, session_id: str) -> None:
        with self._lock:
            self._by_id.pop(session_id, None)


def fingerprint(secret: str) -> str:
    """A short, one-way label for a token, for logs: enough to see that it changed, useless to
    anyone who reads the log."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def load_config(arguments: argparse.Namespace) -> Config:
    """Reads demo.json (written by scripts/demo) and the tenant's OpenID Connect discovery."""
    with open(arguments.config, encoding="utf-8") as file:
        demo = json.load(file)
    web = demo["web_app"]
    issuer = demo["issuer"]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    if metadata.get("issuer") != issuer:
        raise SystemExit(f"discovery at {issuer} names another issuer: {metadata.get('issuer')}")
    return Config(issuer, web["client_id"], web["client_secret"], web["redirect_uri"],
                  arguments.orders_api.rstrip("/"), metadata)


def verify_id_token(config: Config, id_token: str, nonce: str) -> dict:
    """Checks the ID token's signature with the tenant's JWKS, and that it is for us, from our
    issuer, fresh, and answers our own request (nonce). Returns its claims."""
    keys = KeySet.import_key_set(requests.get(config.metadata["jwks_uri"], timeout=10).json())
    algorithms = config.metadata.get("id_token_signing_alg_values_supported", ["ES256"])
    token = jwt.decode(id_token, keys, algorithms=algorithms)
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": config.issuer},
        aud={"essential": True, "value": config.client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True}, exp={"essential": True},
    ).validate(token.claims)
    return token.claims


def oauth_client(config: Config, session: Session) -> OAuth2Session:
    """An authlib session holding this user's token. authlib refreshes the access token by itself
    when it is about to expire (leeway: 10 s) and hands us the new token response, which holds
    the new refresh token: we store it over the old one."""

    def store(token, refresh_token=None, access_token=None):
        session.token = dict(token)
        session.refreshes += 1
        log.info("refreshed the access token of %s; stored the new refresh token (%s, was %s)",
                 session.user, fingerprint(token["refresh_token"]), fingerprint(refresh_token or ""))

    return OAuth2Session(
        config.client_id, config.client_secret, token=session.token, update_token=store,
        token_endpoint=config.metadata["token_endpoint"], leeway=10,
        token_endpoint_auth_method="client_secret_basic", default_timeout=10,
    )


def fetch_orders(config: Config, session: Session) -> dict:
    """GET /orders on the user's behalf. A 401 `invalid_token` (the API saw a token we thought
    still good, e.g. our clock is off) earns one refresh and one retry; anything else is the
    API's answer."""
    with session.lock:
        client = oauth_client(config, session)
        response = client.get(f"{config.orders_api}/orders")
        if response.status_code == 401 and "invalid_token" in response.headers.get("WWW-Authenticate", ""):
            log.info("the Orders API refused the access token: %s", response.headers["WWW-Authenticate"])
            client.refresh_token(config.metadata["token_endpoint"])
            response = client.get(f"{config.orders_api}/orders")
        response.raise_for_status()
        return response.json()


class WebApp(BaseHTTPRequestHandler):
    """The app's pages. Set on the class by `serve`: config and sessions."""

    config: Config
    sessions: Sessions
    server_version = "DemoShop/1.0"

    # -- plumbing -------------------------------------------------------------------------------

    def session_id(self) -> str | None:
        jar = cookies.SimpleCookie(self.headers.get("Cookie", ""))
        return jar[COOKIE].value if COOKIE in jar else None

    def send_page(self, status: int, title: str, body: str, session_id: str | None = None) -> None:
        page = (
            "<!doctype html><html><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width">'
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}"
            "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}"
            "form{display:inline}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
        if session_id:
            self.set_cookie(session_id)
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def set_cookie(self, session_id: str, max_age: int | None = None) -> None:
        # HttpOnly: no script reads it; SameSite=Lax: cross-site POSTs arrive without it.
        # (Add Secure when the app is served over https, as it must be in production.)
        extra = f"; Max-Age={max_age}" if max_age is not None else ""
        self.send_header("Set-Cookie", f"{COOKIE}={session_id}; Path=/; HttpOnly; SameSite=Lax{extra}")

    def redirect(self, location: str, session_id: str | None = None, status: int = 303) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Cache-Control", "no-store")
        if session_id:
            self.set_cookie(session_id)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        fields = parse_qs(self.rfile.read(min(length, 10_000)).decode(), keep_blank_values=True)
        return {key: values[0] for key, values in fields.items()}

    # -- routes ---------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        route = {"/": self.home, "/login": self.login, "/callback": self.callback, "/orders": self.orders}.get(path)
        if route is None:
            self.send_page(404, "Not found", "<p><a href=/>Home</a></p>")
        else:
            route()

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        route = {"/logout": self.logout, "/expire-token": self.expire_token}.get(path)
        session_id = self.session_id()
        session = self.sessions.get(session_id)
        if route is None:
            self.send_page(404, "Not found", "<p><a href=/>Home</a></p>")
        elif session is None or not secrets.compare_digest(self.form().get("csrf", ""), session.csrf):
            self.send_page(403, "Forbidden", "<p>That form was not ours. <a href=/>Home</a></p>")
        else:
            route(session_id, session)

    def home(self) -> None:
        session = self.sessions.get(self.session_id())
        if session and session.token:
            return self.redirect("/orders")
        self.send_page(200, "Demo Shop", "<p>See what you ordered, without giving us your password.</p>"
                       "<p><a href=/login>Sign in with Tessera</a></p>")

    def login(self) -> None:
        """Starts the authorization code flow: fresh state, nonce and PKCE verifier, remembered in
        the session; the browser goes to Tessera's authorization endpoint."""
        session_id = self.session_id()
        session = self.sessions.get(session_id)
        if session is None:
            session_id, session = self.sessions.create()
        client = OAuth2Session(self.config.client_id, self.config.client_secret, scope=SCOPE,
                               redirect_uri=self.config.redirect_uri, code_challenge_method="S256")
        verifier, nonce = generate_token(64), secrets.token_urlsafe(24)
        url, state = client.create_authorization_url(
            self.config.metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
        session.pending = {"state": state, "nonce": nonce, "verifier": verifier}
        self.redirect(url, session_id, status=302)

    def callback(self) -> None:
        """Tessera sent the browser back: check it answers our request (state, iss), redeem the
        code with the PKCE verifier and our secret, verify the ID token, and start a signed-in
        session under a new id."""
        session_id = self.session_id()
        session = self.sessions.get(session_id)
        query = {key: values[0] for key, values in parse_qs(urlsplit(self.path).query).items()}
        pending = session.pending if session else None
        if pending is None or not secrets.compare_digest(query.get("state", ""), pending["state"]):
            return self.send_page(400, "Sign-in failed", "<p>This sign-in was not started here, or it was "
                                  "already used. <a href=/login>Try again</a></p>")
        session.pending = None
        if query.get("iss", self.config.issuer) != self.config.issuer:  # RFC 9207: mix-up defence
            return self.send_page(400, "Sign-in failed", "<p>The answer came from another issuer.</p>")
        if "error" in query:
            reason = html.escape(query.get("error_description") or query["error"])
            return self.send_page(400, "Sign-in cancelled", f"<p>{reason}</p><p><a href=/login>Try again</a></p>")
        client = OAuth2Session(self.config.client_id, self.config.client_secret,
                               redirect_uri=self.config.redirect_uri, state=pending["state"],
                               token_endpoint_auth_method="client_secret_basic", default_timeout=10)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.config.redirect_uri))
        try:
            token = client.fetch_token(self.config.metadata["token_endpoint"], authorization_response=origin + self.path,
                                       code_verifier=pending["verifier"])
            claims = verify_id_token(self.config, token["id_token"], pending["nonce"])
        except (OAuthError, JoseError, KeyError) as error:
            log.warning("sign-in failed: %r", error)
            return self.send_page(400, "Sign-in failed", f"<p>{html.escape(str(error))}</p>"
                                  "<p><a href=/login>Try again</a></p>")
        session.token = dict(token)
        session.user = claims.get("preferred_username") or claims["sub"]
        log.info("signed in %s; stored the refresh token (%s)", session.user, fingerprint(token["refresh_token"]))
        self.redirect("/orders", self.sessions.replace(session_id, session))

    def orders(self) -> None:
        session_id = self.session_id()
        session = self.sessions.get(session_id)
        if session is None or session.token is None:
            return self.redirect("/")
        try:
            answer = fetch_orders(self.config, session)
        except OAuthError as error:  # the refresh failed: revoked at /account, expired, reused
            log.info("refresh failed for %s: %s", session.user, error.error)
            self.sessions.drop(session_id)
            return self.send_page(401, "Please sign in again", "<p>Your access to the Orders API ended "
                                  f"({html.escape(error.error or 'refresh failed')}).</p>"
                                  "<p><a href=/login>Sign in with Tessera</a></p>")
        except requests.RequestException as error:
            log.warning("the Orders API failed: %r", error)
            return self.send_page(502, "Orders unavailable", f"<p>The Orders API at "
                                  f"{html.escape(self.config.orders_api)} failed: {html.escape(str(error))}</p>")
        rows = "".join(f"<tr><td>{html.escape(str(order.get('id')))}</td><td>{html.escape(str(order.get('item')))}</td></tr>"
                       for order in answer.get("orders", []))
        expires_in = int(session.token.get("expires_at", 0) - time.time())
        csrf = html.escape(session.csrf)
        self.send_page(200, "Your orders", f"<p>Signed in as <b id=user>{html.escape(session.user or '')}</b>.</p>"
                       f"<table><tr><th>order</th><th>item</th></tr>{rows}</table>"
                       f"<p><small>Access token expires in {expires_in} s; refreshed "
                       f"<span id=refreshes>{session.refreshes}</span> time{'' if session.refreshes == 1 else 's'}.</small></p>"
                       f"<form method=post action=/expire-token><input type=hidden name=csrf value={csrf}>"
                       "<button>Pretend the access token expired</button></form> "
                       f"<form method=post action=/logout><input type=hidden name=csrf value={csrf}>"
                       "<button>Sign out</button></form>")

    def expire_token(self, session_id: str, session: Session) -> None:
        """Demo only: marks the stored access token expired, so the next page shows a refresh
        without waiting ten minutes."""
        if session.token:
            session.token["expires_at"] = int(time.time()) - 1
        self.redirect("/orders")

    def logout(self, session_id: str, session: Session) -> None:
        self.sessions.drop(session_id)
        self.send_response(303)
        self.send_header("Location", "/")
        self.set_cookie("", max_age=0)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        # One line per request, without the query string: it carries codes and state.
        log.info("%s %s", self.command, urlsplit(self.path).path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=".tessera/demo.json", help="written by scripts/demo")
    parser.add_argument("--orders-api", default="http://127.0.0.1:9090", help="where the resource server listens")
    parser.add_argument("--port", type=int, default=5173)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s: %(message)s")
    config = load_config(arguments)
    registered = urlsplit(config.redirect_uri)
    if (registered.hostname, registered.port) != ("127.0.0.1", arguments.port):
        log.warning("the registered redirect URI %s is not this app (127.0.0.1:%d): sign-in will not come back here",
                    config.redirect_uri, arguments.port)
    WebApp.config, WebApp.sessions = config, Sessions()
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), WebApp)
    log.info("Demo Shop web app on http://127.0.0.1:%d (issuer %s, Orders API %s)",
             server.server_address[1], config.issuer, config.orders_api)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
