"""Plays the browser for examples/native-app: opens the authorization URL the app printed, signs
in and approves at Tessera, then follows the redirect to the app's loopback listener (first
asking it for /favicon.ico, as browsers do). Prints one JSON object.

Usage: native_app_browser.py AUTHORIZATION_URL USERNAME PASSWORD
"""
import json
import sys
from urllib.parse import urlsplit

import requests

from tessera_pages import sign_in_and_approve


def main() -> int:
    url, username, password = sys.argv[1:4]
    browser = requests.Session()
    location = sign_in_and_approve(browser, url, username, password)
    loopback = urlsplit(location)
    favicon = browser.get(f"{loopback.scheme}://{loopback.netloc}/favicon.ico", timeout=10)
    landing = browser.get(location, timeout=10)
    print(json.dumps({
        "redirect_host": loopback.hostname,
        "redirect_path": loopback.path,
        "favicon_status": favicon.status_code,
        "landing_status": landing.status_code,
        "landing_text": landing.text,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
