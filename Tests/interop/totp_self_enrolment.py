"""A user turns on two-step sign-in on their account page: pyotp reads the otpauth:// link of the
setup page the way an authenticator app would, and its code turns the factor on. The next
sign-in then asks for a code. A requests session plays the browser. Prints one JSON object.

Usage: totp_self_enrolment.py ISSUER USERNAME PASSWORD
"""
import html
import json
import re
import sys

import pyotp
import requests

from tessera_pages import read_form


def sign_in(issuer: str, username: str, password: str):
    browser = requests.Session()
    page = browser.get(f"{issuer}/account", timeout=10)
    action, inputs, _ = read_form(page)
    inputs.update(username=username, password=password)
    return browser, browser.post(action, data=inputs, timeout=10)


def qr_encodes(page: str, uri: str) -> bool:
    """Whether the page's SVG QR code is, module for module, what the `qrcode` package draws
    for the link's URI at level M with one of the eight masks (the quiet zone is 4 modules)."""
    import qrcode
    path = re.search(r'<path d="([^"]+)"', page)
    if not path:
        return False
    dark = {(int(x) - 4, int(y) - 4) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path.group(1))}
    for mask in range(8):
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=mask, border=0)
        qr.add_data(uri.encode(), optimize=0)
        qr.make(fit=True)
        expected = {(x, y) for y, row in enumerate(qr.get_matrix()) for x, on in enumerate(row) if on}
        if expected == dark:
            return True
    return False


def main() -> int:
    issuer, username, password = sys.argv[1:4]
    browser, account = sign_in(issuer, username, password)
    result = {"offered": "Set up an authenticator app" in account.text}
    action, inputs, _ = read_form(account)
    setup_form = [form for form in re.findall(r'<form method="post" action="([^"]+)"', account.text) if form.endswith("/account/totp")]
    setup = browser.post(setup_form[0], data={"csrf_token": inputs["csrf_token"]}, timeout=10)
    uri = html.unescape(re.search(r'href="(otpauth://[^"]+)"', setup.text).group(1))
    totp = pyotp.parse_uri(uri)
    result["issuer"] = totp.issuer
    result["qr_matches_link"] = qr_encodes(setup.text, uri)
    action, inputs, _ = read_form(setup)
    inputs["otp"] = totp.now()
    done = browser.post(action, data=inputs, timeout=10)
    result["confirm_status"] = done.status_code
    result["recovery_codes"] = len(re.findall(r"<code>[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}</code>", done.text))
    # The next sign-in, in another browser, stops at the code page.
    _, after_password = sign_in(issuer, username, password)
    result["asks_for_code"] = 'name="otp"' in after_password.text
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
