"""A person approves a device: opens the verification page, enters the user code, signs in and
allows, with a plain requests session (no JavaScript is needed). Prints the final page's title.

Usage: approve_device.py ISSUER USER_CODE USERNAME PASSWORD
"""
import re
import sys

import requests

from tessera_pages import read_form


def main() -> int:
    issuer, user_code, username, password = sys.argv[1:5]
    browser = requests.Session()
    page = browser.get(f"{issuer}/device", timeout=10)
    action, inputs, _ = read_form(page)
    inputs["user_code"] = user_code
    page = browser.post(action, data=inputs, timeout=10)
    action, inputs, _ = read_form(page)
    inputs.update(username=username, password=password)
    page = browser.post(action, data=inputs, timeout=10)
    if user_code not in page.text:
        raise SystemExit(f"the consent page does not show the code: {page.text[:400]}")
    action, inputs, _ = read_form(page)
    inputs["decision"] = "approve"
    page = browser.post(action, data=inputs, timeout=10)
    title = re.search(r"<h1>(.*?)</h1>", page.text)
    print(title.group(1) if title else page.text[:200])
    return 0 if page.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
