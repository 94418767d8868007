"""Plays the user of examples/web-app with one requests session, as a browser would: opens the
app, signs in at Tessera and approves, comes back to the app's orders page, then presses the
app's "Pretend the access token expired" button and looks at the page again. Prints one JSON
object with the pages' text (and the session cookie, for the test to come back as this user); exits non-zero when a step does not go where it should.

Usage: web_app_user.py WEB_APP_URL USERNAME PASSWORD
"""
import json
import re
import sys
from urllib.parse import urlsplit

import requests

from tessera_pages import sign_in_and_approve


def orders_page(html: str) -> dict:
    """What the orders page shows: the user, the order rows, and how often it refreshed."""
    user = re.search(r"<b id=user>([^<]*)</b>", html)
    refreshes = re.search(r"<span id=refreshes>(\d+)</span>", html)
    csrf = re.search(r'name=csrf value=([^>\s]+)>', html)
    return {
        "user": user and user.group(1),
        "orders": re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", html),
        "refreshes": int(refreshes.group(1)) if refreshes else None,
        "csrf": csrf and csrf.group(1),
    }


def main() -> int:
    web_app, username, password = sys.argv[1:4]
    browser = requests.Session()
    home = browser.get(web_app, timeout=10)
    login = browser.get(f"{web_app}/login", allow_redirects=False, timeout=10)
    authorize = login.headers["Location"]
    callback = sign_in_and_approve(browser, authorize, username, password)
    if urlsplit(callback).netloc != urlsplit(web_app).netloc:
        raise SystemExit(f"Tessera sent the browser elsewhere: {callback}")
    first = browser.get(callback, timeout=10)  # the app redirects to /orders
    before = orders_page(first.text)
    if first.status_code != 200 or before["csrf"] is None:
        raise SystemExit(f"no orders page ({first.status_code}): {first.text[:500]}")
    again = browser.post(f"{web_app}/expire-token", data={"csrf": before["csrf"]}, timeout=10)
    forged = requests.post(f"{web_app}/expire-token", data={"csrf": before["csrf"]}, timeout=10,
                           allow_redirects=False)
    print(json.dumps({
        "home": home.text,
        "authorize": authorize,
        "callback": callback,
        "final_url": first.url,
        "status": first.status_code,
        "page": before,
        "page_text": first.text,
        "after_expiry_status": again.status_code,
        "after_expiry": orders_page(again.text),
        "without_cookie_status": forged.status_code,
        "session_cookie": browser.cookies.get("demo_shop_session"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
