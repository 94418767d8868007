"""A real browser (headless Chromium, driven by selenium) signs a user in through Tessera's login
and consent pages, as a native app would send it there: a public client, PKCE S256, and a
loopback redirect on a port picked at run time (RFC 8252). The code arrives at a small HTTP
server of this script and is exchanged for tokens. A screenshot of each page is written to
OUT_DIR. Prints one JSON object; exits non-zero on any failure.

Usage: browser_flow.py ISSUER CLIENT_ID USERNAME PASSWORD OUT_DIR
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
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from chromium import browser


class Callback(http.server.BaseHTTPRequestHandler):
    received: dict = {}

    def do_GET(self):  # noqa: N802 (the http.server API)
        url = urlparse(self.path)
        if url.path != "/callback":  # the browser also asks for /favicon.ico
            self.send_error(404)
            return
        Callback.received = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = b"<!doctype html><title>Signed in</title><h1>Signed in. You can close this window.</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> int:
    issuer, client_id, username, password, out_dir = sys.argv[1:6]
    os.makedirs(out_dir, exist_ok=True)
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()

    # Threading: Chromium opens speculative connections that would block a one-at-a-time server.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{server.server_port}/callback"
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(12)
    url = metadata["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid profile orders:read", "state": state, "code_challenge": challenge,
        "code_challenge_method": "S256",
    })

    driver = browser()
    try:
        wait = WebDriverWait(driver, 15)
        driver.get(url)
        wait.until(expected_conditions.presence_of_element_located((By.NAME, "password")))
        driver.save_screenshot(os.path.join(out_dir, "login.png"))
        driver.find_element(By.NAME, "username").send_keys(username)
        driver.find_element(By.NAME, "password").send_keys(password)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "button[value=approve]")))
        consent_text = driver.find_element(By.TAG_NAME, "main").text
        # The code flow has no device code to compare: the device flow's box must not be drawn.
        consent_code_boxes = len(driver.find_elements(By.CSS_SELECTOR, ".code-check"))
        driver.save_screenshot(os.path.join(out_dir, "consent.png"))
        driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
        wait.until(lambda d: d.current_url.startswith(redirect_uri) and Callback.received)

        driver.get(issuer + "/account")
        wait.until(expected_conditions.presence_of_element_located((By.TAG_NAME, "h2")))
        account_text = driver.find_element(By.TAG_NAME, "main").text
        driver.save_screenshot(os.path.join(out_dir, "account.png"))
    finally:
        driver.quit()
        server.shutdown()

    received = Callback.received
    assert received.get("state") == state, received
    token = requests.post(metadata["token_endpoint"], timeout=5, data={
        "grant_type": "authorization_code", "code": received["code"], "redirect_uri": redirect_uri,
        "client_id": client_id, "code_verifier": verifier,
    })
    print(json.dumps({
        "token_status": token.status_code,
        "token": token.json(),
        "callback": received,
        "consent_text": consent_text,
        "consent_code_boxes": consent_code_boxes,
        "account_text": account_text,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
