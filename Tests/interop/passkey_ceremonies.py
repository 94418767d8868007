"""Passkeys against a running Tessera, with the authenticator side built by python-fido2 (an
independent WebAuthn implementation: its CBOR, COSE keys, authenticator data and attestation
objects): a requests session plays the browser and posts what navigator.credentials would.

Registers an ES256, an EdDSA and an RS256 passkey on the account page, signs in with each
without a username, and checks the ID token's amr; then the refusals: a replayed assertion, a
reused challenge, a wrong origin, a wrong RP id, a counter going back (a cloned authenticator),
no user verification, an unknown credential, another user's credential after the password, an
attestation format we do not accept, a replayed registration, garbage. Finally the passkey as the
second factor after the password. Prints one JSON object; exits non-zero on any failure.

Usage: passkey_ceremonies.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD OTHER_USERNAME
"""
import base64
import hashlib
import json
import os
import secrets
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from fido2 import cbor, cose
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData
from joserfc import jwt
from joserfc.jwk import KeySet

from tessera_pages import read_form

FLAGS = AuthenticatorData.FLAG


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PasskeyForm(HTMLParser):
    """The form whose button carries data-webauthn: its action, inputs and the options."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._current = {"action": attributes.get("action"), "inputs": {}, "options": None}
        elif self._current is not None and tag == "input" and attributes.get("name"):
            self._current["inputs"][attributes["name"]] = attributes.get("value") or ""
        elif self._current is not None and tag == "button" and "data-webauthn" in attributes:
            self._current["options"] = json.loads(attributes["data-webauthn"])

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def passkey_form(page):
    reader = PasskeyForm()
    reader.feed(page.text)
    for form in reader.forms:
        if form["options"] is not None:
            return urljoin(page.url, form["action"]), form["inputs"], form["options"]
    raise SystemExit(f"no passkey form on the page ({page.status_code}): {page.text[:400]}")


class Authenticator:
    """One credential of a software authenticator, its counter, its user handle."""

    def __init__(self, algorithm: str):
        self.algorithm = algorithm
        if algorithm == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
            self.cose = cose.ES256.from_cryptography_key(self.private.public_key())
        elif algorithm == "EdDSA":
            self.private = ed25519.Ed25519PrivateKey.generate()
            self.cose = cose.EdDSA.from_cryptography_key(self.private.public_key())
        else:
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.cose = cose.RS256.from_cryptography_key(self.private.public_key())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.user_handle = None

    def sign(self, data: bytes) -> bytes:
        if self.algorithm == "ES256":
            return self.private.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.algorithm == "EdDSA":
            return self.private.sign(data)
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def create(self, options: dict, origin: str, fmt: str = "none") -> str:
        public_key = options["publicKey"]
        self.user_handle = unb64u(public_key["user"]["id"])
        client_data = CollectedClientData.create("webauthn.create", unb64u(public_key["challenge"]), origin)
        credential = AttestedCredentialData.create(b"\0" * 16, self.credential_id, self.cose)
        auth_data = AuthenticatorData.create(
            hashlib.sha256(public_key["rp"]["id"].encode()).digest(),
            FLAGS.UP | FLAGS.UV | FLAGS.BE | FLAGS.BS | FLAGS.AT, self.counter, credential)
        statement = {} if fmt == "none" else {"alg": -7, "sig": b"\0" * 64}
        attestation = AttestationObject.create(fmt, auth_data, statement)
        return json.dumps({
            "id": b64u(self.credential_id), "rawId": b64u(self.credential_id), "type": "public-key",
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64u(bytes(client_data)), "attestationObject": b64u(bytes(attestation)),
                         "transports": ["internal", "hybrid"]}})

    def get(self, options: dict, origin: str, rp_id: str | None = None, flags=None, counter=None,
            with_handle: bool = True) -> str:
        public_key = options["publicKey"]
        client_data = CollectedClientData.create("webauthn.get", unb64u(public_key["challenge"]), origin)
        if counter is None:  # an explicit counter (a clone's) leaves this authenticator's alone
            self.counter += 1
        auth_data = AuthenticatorData.create(
            hashlib.sha256((rp_id or public_key["rpId"]).encode()).digest(),
            FLAGS.UP | FLAGS.UV | FLAGS.BE | FLAGS.BS if flags is None else flags,
            self.counter if counter is None else counter)
        signature = self.sign(bytes(auth_data) + hashlib.sha256(bytes(client_data)).digest())
        return json.dumps({
            "id": b64u(self.credential_id), "rawId": b64u(self.credential_id), "type": "public-key",
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64u(bytes(client_data)), "authenticatorData": b64u(bytes(auth_data)),
                         "signature": b64u(signature),
                         "userHandle": b64u(self.user_handle) if with_handle else None}})


class Run:
    def __init__(self, issuer, client_id, client_secret, redirect_uri):
        self.issuer, self.client_id, self.client_secret, self.redirect_uri = issuer, client_id, client_secret, redirect_uri
        parsed = urlparse(issuer)
        self.origin = f"{parsed.scheme}://{parsed.netloc}"
        self.keys = KeySet.import_key_set(requests.get(f"{issuer}/jwks.json", timeout=5).json())

    def authorize(self):
        """A fresh browser at the authorization endpoint: (browser, login page, verifier)."""
        verifier = secrets.token_urlsafe(48)
        challenge = b64u(hashlib.sha256(verifier.encode()).digest())
        query = urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "scope": "openid", "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(8),
            "code_challenge": challenge, "code_challenge_method": "S256"})
        browser = requests.Session()
        return browser, browser.get(f"{self.issuer}/authorize?{query}", timeout=10), verifier

    def post(self, browser, action, inputs, credential):
        return browser.post(action, data={**inputs, "credential": credential}, allow_redirects=False, timeout=10)

    def finish(self, browser, page, verifier) -> list:
        """Consent if asked, the code, the token exchange: the ID token's amr."""
        if page.status_code == 200 and 'name="decision"' in page.text:
            action, inputs, _ = read_form(page)
            inputs["decision"] = "approve"
            page = browser.post(action, data=inputs, allow_redirects=False, timeout=10)
        if page.status_code != 303:
            raise SystemExit(f"expected a redirect with the code, got {page.status_code}: {page.text[:300]}")
        code = parse_qs(urlparse(page.headers["Location"]).query)["code"][0]
        token = requests.post(
            f"{self.issuer}/token", auth=(self.client_id, self.client_secret), timeout=10,
            data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                  "redirect_uri": self.redirect_uri})
        if token.status_code != 200:
            raise SystemExit(f"token endpoint: {token.status_code} {token.text}")
        claims = jwt.decode(token.json()["id_token"], self.keys, algorithms=["ES256", "Ed25519", "EdDSA", "RS256"]).claims
        return claims.get("amr")

    def account(self, username, password):
        """A browser signed in on the account page."""
        browser = requests.Session()
        page = browser.get(f"{self.issuer}/account", timeout=10)
        action, inputs, _ = read_form(page)
        inputs.update(username=username, password=password)
        page = browser.post(action, data=inputs, timeout=10)
        if "Your account" not in page.text:
            raise SystemExit(f"not on the account page: {page.status_code} {page.text[:300]}")
        return browser, page


def main() -> int:
    issuer, client_id, client_secret, redirect_uri, username, password, other_username = sys.argv[1:8]
    run = Run(issuer, client_id, client_secret, redirect_uri)
    result: dict = {}

    # Registration on the account page, one passkey per algorithm.
    browser, page = run.account(username, password)
    authenticators = {}
    statuses = {}
    first_options = None
    for algorithm in ("ES256", "EdDSA", "RS256"):
        action, inputs, options = passkey_form(page)
        first_options = first_options or options
        result.setdefault("offered_algorithms", [p["alg"] for p in options["publicKey"]["pubKeyCredParams"]])
        result["resident_key"] = options["publicKey"]["authenticatorSelection"]["residentKey"]
        result["attestation"] = options["publicKey"]["attestation"]
        authenticator = Authenticator(algorithm)
        response = browser.post(action, data={**inputs, "name": f"{algorithm} key",
                                              "credential": authenticator.create(options, run.origin)},
                                allow_redirects=False, timeout=10)
        statuses[algorithm] = response.status_code
        authenticators[algorithm] = authenticator
        page = browser.get(f"{issuer}/account", timeout=10)
    result["register_statuses"] = statuses
    result["listed"] = [name for name in ("ES256 key", "EdDSA key", "RS256 key") if name in page.text]
    action, inputs, options = passkey_form(page)
    result["excluded"] = len(options["publicKey"]["excludeCredentials"])

    # Registration refusals: a statement format we do not take, a challenge used before, garbage.
    packed = Authenticator("ES256")
    result["packed_status"] = browser.post(
        action, data={**inputs, "credential": packed.create(options, run.origin, fmt="packed")},
        allow_redirects=False, timeout=10).status_code
    # A new credential for the challenge the first registration answered.
    result["reused_registration_challenge_status"] = browser.post(
        action, data={**inputs, "credential": Authenticator("ES256").create(first_options, run.origin)},
        allow_redirects=False, timeout=10).status_code
    result["garbage_registration_status"] = browser.post(
        action, data={**inputs, "credential": '{"type":"public-key","id":"AA","response":{"clientDataJSON":"e30",'
                                              '"attestationObject":"oWNmbXQ"}}'},
        allow_redirects=False, timeout=10).status_code

    # Sign-in without a username, with each key.
    result["amr"] = {}
    for algorithm, authenticator in authenticators.items():
        browser, page, verifier = run.authorize()
        action, inputs, options = passkey_form(page)
        result["allow_credentials_on_login_page"] = len(options["publicKey"]["allowCredentials"])
        result["user_verification"] = options["publicKey"]["userVerification"]
        response = run.post(browser, action, inputs, authenticator.get(options, run.origin))
        result["amr"][algorithm] = run.finish(browser, response, verifier)

    # Refusals at sign-in, each on a fresh login page.
    es256 = authenticators["ES256"]
    browser, page, _ = run.authorize()
    action, inputs, options = passkey_form(page)
    assertion = es256.get(options, run.origin)
    first = run.post(browser, action, inputs, assertion)
    result["first_use_status"] = first.status_code
    # The same assertion again, in another browser's login form (its own CSRF token and state).
    browser2, page2, _ = run.authorize()
    action2, inputs2, _ = passkey_form(page2)
    result["replayed_assertion_status"] = run.post(browser2, action2, inputs2, assertion).status_code
    # The same challenge signed afresh (a higher counter), posted from a new page.
    browser3, page3, _ = run.authorize()
    action3, inputs3, _ = passkey_form(page3)
    result["reused_challenge_status"] = run.post(browser3, action3, inputs3, es256.get(options, run.origin)).status_code

    def refused(**arguments) -> int:
        browser, page, _ = run.authorize()
        action, inputs, options = passkey_form(page)
        authenticator = arguments.pop("authenticator", es256)
        origin = arguments.pop("origin", run.origin)
        response = run.post(browser, action, inputs, authenticator.get(options, origin, **arguments))
        return response.status_code if 'name="password"' in response.text or response.status_code >= 400 else -1

    result["wrong_origin_status"] = refused(origin="https://evil.example")
    result["wrong_rp_id_status"] = refused(rp_id="evil.example")
    result["no_user_verification_status"] = refused(flags=FLAGS.UP | FLAGS.BE | FLAGS.BS)
    result["backup_eligibility_changed_status"] = refused(flags=FLAGS.UP | FLAGS.UV)
    result["no_user_handle_status"] = refused(with_handle=False)
    stranger = Authenticator("ES256")
    stranger.user_handle = es256.user_handle
    result["unknown_credential_status"] = refused(authenticator=stranger)
    result["counter_back_status"] = refused(counter=1)
    # The counter moved on for the real authenticator: it still signs in.
    browser, page, verifier = run.authorize()
    action, inputs, options = passkey_form(page)
    result["after_refusals_amr"] = run.finish(browser, run.post(browser, action, inputs, es256.get(options, run.origin)), verifier)
    browser, page, _ = run.authorize()
    action, inputs, _ = passkey_form(page)
    result["garbage_assertion_status"] = run.post(browser, action, inputs, "{not json").status_code

    # The second factor after the password: the code page offers the user's passkeys only.
    browser, page, verifier = run.authorize()
    login_action, login_inputs, _ = read_form(page)
    page = browser.post(login_action, data={**login_inputs, "username": username, "password": password},
                        allow_redirects=False, timeout=10)
    action, inputs, options = passkey_form(page)
    result["second_factor_allow_credentials"] = len(options["publicKey"]["allowCredentials"])
    result["second_factor_asks_code"] = 'name="otp"' in page.text
    # Another user's passkey is refused there.
    other_browser, other_page = run.account(other_username, password)
    other_action, other_inputs, other_options = passkey_form(other_page)
    other = Authenticator("ES256")
    other_browser.post(other_action, data={**other_inputs, "credential": other.create(other_options, run.origin)},
                       allow_redirects=False, timeout=10)
    result["other_users_passkey_status"] = run.post(browser, action, inputs, other.get(options, run.origin)).status_code
    page = browser.post(login_action, data={**login_inputs, "username": username, "password": password},
                        allow_redirects=False, timeout=10)
    action, inputs, options = passkey_form(page)
    result["second_factor_amr"] = run.finish(
        browser, run.post(browser, action, inputs, authenticators["EdDSA"].get(options, run.origin)), verifier)

    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
