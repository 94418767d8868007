"""A stand-in for the user's app in this demo: signs a demo user in through Tessera's real login
and consent pages (plain HTTP forms, PKCE S256, the demo's public native-app client) and prints
the user's access token. A real app opens a browser instead (see examples/native-app); a script
never holds a user's password outside a demo.

Usage: python3 sign_in.py [USERNAME] [--demo-file .tessera/demo.json]
"""
import argparse
import base64
import hashlib
import json
import secrets
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests


class Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action")
        elif tag == "input" and attributes.get("name") and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes.get("value") or ""


def submit(browser, page, extra):
    form = Form()
    form.feed(page.text)
    return browser.post(urljoin(page.url, form.action), data={**form.fields, **extra}, allow_redirects=False,
                        timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("username", nargs="?", default="alice")
    parser.add_argument("--demo-file", default=".tessera/demo.json")
    arguments = parser.parse_args()
    demo = json.load(open(arguments.demo_file))
    metadata = requests.get(f"{demo['issuer']}/.well-known/openid-configuration", timeout=5).json()
    client_id = demo["native_app"]["client_id"]
    redirect_uri = "http://127.0.0.1:8765/callback"
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(12)
    browser = requests.Session()
    page = browser.get(metadata["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state,
        "scope": "orders:read billing:read", "code_challenge": challenge, "code_challenge_method": "S256",
    }), allow_redirects=False, timeout=10)
    if 'name="password"' in page.text:
        page = submit(browser, page, {"username": arguments.username,
                                      "password": demo["users"][arguments.username]})
    if 'name="decision"' in page.text:
        page = submit(browser, page, {"decision": "approve"})
    query = parse_qs(urlparse(page.headers["Location"]).query)
    assert query["state"] == [state], "state does not match"
    token = requests.post(metadata["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect_uri,
        "client_id": client_id, "code_verifier": verifier,
    }).json()
    print(token["access_token"])


if __name__ == "__main__":
    main()
