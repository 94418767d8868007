"""What the stateful benchmark phases start from, made through Tessera's own HTTP endpoints.

  stateful_setup.py signin BASE ISSUER_PATH CLIENT_ID REDIRECT_URI USERNAME PASSWORD VERIFIER
      Signs the user in and approves the client once (login and consent pages, as a browser
      would), then prints two lines: the Cookie header of the signed-in session, and the
      authorize path (PKCE S256 of VERIFIER) that now answers with a code at once.
  stateful_setup.py devices BASE ISSUER_PATH CLIENT_ID COUNT OUTPUT
      Starts COUNT device authorizations (RFC 8628 §3.1), eight at a time, and writes their
      device codes to OUTPUT, one per line.
"""
import base64
import hashlib
import sys
import threading
from urllib.parse import urlencode

import requests

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/Tests/interop")
from tessera_pages import sign_in_and_approve  # noqa: E402


def signin(base, issuer_path, client_id, redirect_uri, username, password, verifier):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    path = f"{issuer_path}/authorize?" + urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid orders:read", "state": "bench", "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    browser = requests.Session()
    location = sign_in_and_approve(browser, base + path, username, password)
    if "code=" not in location:
        raise SystemExit(f"no code after signing in: {location}")
    again = browser.get(base + path, allow_redirects=False, timeout=10)
    if again.status_code != 303 or "code=" not in again.headers.get("Location", ""):
        raise SystemExit(f"a second authorization did not answer with a code: {again.status_code}")
    print("; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies))
    print(path)


def devices(base, issuer_path, client_id, count, output):
    codes: list[str] = []
    lock = threading.Lock()
    remaining = iter(range(count))

    def work():
        session = requests.Session()
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            reply = session.post(f"{base}{issuer_path}/device_authorization",
                                 data={"client_id": client_id, "scope": "orders:read"}, timeout=10)
            reply.raise_for_status()
            with lock:
                codes.append(reply.json()["device_code"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(output, "w") as file:
        file.write("\n".join(codes) + "\n")
    print(len(codes))


if __name__ == "__main__":
    if sys.argv[1] == "signin":
        signin(*sys.argv[2:9])
    elif sys.argv[1] == "devices":
        devices(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        raise SystemExit(__doc__)
