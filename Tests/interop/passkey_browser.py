"""Passkeys in a real browser: headless Chromium with its WebAuthn virtual authenticator (a CTAP2
platform authenticator that keeps discoverable credentials and verifies the user), driven by
selenium through Tessera's real pages. The user signs in with a password on the account page and
adds a passkey there; in a fresh browser session, the code flow of a native app signs in with
the passkey alone (no username typed); RP-initiated logout with id_token_hint returns to the
app's registered URI with its state; the confirmation page signs out a session without a hint.
Screenshots of each page go to OUT_DIR. Prints one JSON object; exits non-zero on any failure.

Usage: passkey_browser.py ISSUER CLIENT_ID USERNAME PASSWORD CALLBACK_PORT OUT_DIR
"""
import base64
import hashlib
import http.server
import json
import os
import secrets
import sys
import threading
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from joserfc import jwt
from joserfc.jwk import KeySet
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.virtual_authenticator import VirtualAuthenticatorOptions
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from chromium import browser


class Callback(http.server.BaseHTTPRequestHandler):
    received: dict = {}

    def do_GET(self):  # noqa: N802 (the http.server API)
        url = urlparse(self.path)
        if url.path not in ("/callback", "/signed-out"):  # the browser also asks for /favicon.ico
            self.send_error(404)
            return
        Callback.received[url.path] = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = b"<!doctype html><title>Back at the app</title><h1>Back at the app.</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main_text(driver) -> str:
    """The page's main text, or "" while a navigation replaces the page under the reader."""
    try:
        return driver.find_element(By.TAG_NAME, "main").text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def main() -> int:
    issuer, client_id, username, password, port, out_dir = sys.argv[1:7]
    os.makedirs(out_dir, exist_ok=True)
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{port}/callback"
    signed_out_uri = f"http://127.0.0.1:{port}/signed-out"
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(12)
    nonce = secrets.token_urlsafe(12)
    url = metadata["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid",
        "state": state, "nonce": nonce, "code_challenge_method": "S256",
        "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode(),
    })
    result: dict = {}
    shot = lambda driver, name: driver.save_screenshot(os.path.join(out_dir, f"{name}.png"))  # noqa: E731

    driver = browser()
    try:
        wait = WebDriverWait(driver, 30)  # generous: the suite runs beside other work on two cores
        driver.add_virtual_authenticator(VirtualAuthenticatorOptions(
            protocol=VirtualAuthenticatorOptions.Protocol.CTAP2,
            transport=VirtualAuthenticatorOptions.Transport.INTERNAL,
            has_resident_key=True, has_user_verification=True, is_user_consenting=True, is_user_verified=True))

        # The account page, after a password sign-in: add a passkey.
        driver.get(issuer + "/account")
        wait.until(expected_conditions.presence_of_element_located((By.NAME, "password")))
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        add = wait.until(expected_conditions.visibility_of_element_located(
            (By.CSS_SELECTOR, "button[data-webauthn]")))
        driver.find_element(By.NAME, "name").send_keys("This laptop")
        add.click()
        wait.until(lambda d: "This laptop" in main_text(d))
        result["account_text"] = driver.find_element(By.TAG_NAME, "main").text
        shot(driver, "passkey-account")
        credentials = driver.get_credentials()
        result["credentials"] = len(credentials)
        result["resident"] = all(c.is_resident_credential for c in credentials)

        # A fresh browser session (the authenticator stays): sign in with the passkey alone.
        driver.delete_all_cookies()
        driver.get(url)
        button = wait.until(expected_conditions.visibility_of_element_located(
            (By.CSS_SELECTOR, "button[data-webauthn]")))
        result["login_button"] = button.text
        shot(driver, "passkey-login")
        button.click()
        approve = wait.until(expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "button[value=approve]")))
        approve.click()
        wait.until(lambda d: "/callback" in Callback.received)
        received = Callback.received["/callback"]
        result["state_matches"] = received.get("state") == state
        token = requests.post(metadata["token_endpoint"], timeout=5, data={
            "grant_type": "authorization_code", "code": received["code"], "redirect_uri": redirect_uri,
            "client_id": client_id, "code_verifier": verifier,
        })
        result["token_status"] = token.status_code
        id_token = token.json()["id_token"]
        keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=5).json())
        claims = jwt.decode(id_token, keys, algorithms=["ES256", "Ed25519", "EdDSA", "RS256"]).claims
        result["amr"] = claims.get("amr")
        result["nonce_matches"] = claims.get("nonce") == nonce
        result["sign_count_after"] = driver.get_credentials()[0].sign_count

        # RP-initiated logout with the ID token as hint: out at once, back at the registered URI.
        logout_state = secrets.token_urlsafe(8)
        driver.get(metadata["end_session_endpoint"] + "?" + urlencode({
            "id_token_hint": id_token, "post_logout_redirect_uri": signed_out_uri, "state": logout_state}))
        wait.until(lambda d: "/signed-out" in Callback.received)
        result["logout_state_matches"] = Callback.received["/signed-out"].get("state") == logout_state
        driver.get(issuer + "/account")
        wait.until(expected_conditions.presence_of_element_located((By.NAME, "password")))
        result["signed_out_after_hinted_logout"] = True

        # Signed in again with the passkey; a logout link without a hint asks first.
        wait.until(expected_conditions.visibility_of_element_located(
            (By.CSS_SELECTOR, "button[data-webauthn]"))).click()
        wait.until(lambda d: "Your account" in main_text(d))
        driver.get(metadata["end_session_endpoint"])
        confirm = wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "button[type=submit]")))
        result["confirm_text"] = driver.find_element(By.TAG_NAME, "main").text
        shot(driver, "logout-confirm")
        confirm.click()
        wait.until(lambda d: "signed out" in main_text(d).lower())
        result["done_text"] = driver.find_element(By.TAG_NAME, "main").text
        shot(driver, "logout-done")
        driver.get(issuer + "/account")
        wait.until(expected_conditions.presence_of_element_located((By.NAME, "password")))
        result["signed_out_after_confirmation"] = True
    finally:
        driver.quit()
        server.shutdown()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
