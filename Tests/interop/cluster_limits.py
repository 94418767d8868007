"""Limits that hold for a whole cluster, checked from outside against several running Tessera
instances on one PostgreSQL (docs/cluster-limits.md). Prints one JSON object with the figures;
exits non-zero when a limit does not hold.

  cluster_limits.py rate ISSUER_PATH CLIENT_ID SECRET LIMIT SECONDS BASE...
      Every instance is driven hard with client-credentials requests of one client for SECONDS;
      together they must let through about LIMIT a second (plus one burst of LIMIT), not LIMIT
      a second each, and every refusal is a 429 with Retry-After.
  cluster_limits.py backoff ISSUER_PATH CLIENT_ID REDIRECT_URI USERNAME PASSWORD BASE...
      Wrong passwords are typed at the instances in turn (the login page fetched at one, posted
      to the next): back-off counts them all, so the attempt after the free ones is refused at
      whichever instance it reaches, a right password too while the block lasts, and the right
      password works anywhere once it has passed.
"""
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

import requests

from tessera_pages import read_form

FREE_ATTEMPTS = 5


def rate(issuer_path: str, client_id: str, secret: str, limit: int, seconds: float, bases: list[str]) -> dict:
    counts: dict[str, dict[str, int]] = {base: {"ok": 0, "limited": 0, "other": 0} for base in bases}
    problems: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def drive(base: str) -> None:
        session = requests.Session()
        session.auth = (client_id, secret)
        while time.monotonic() < deadline:
            reply = session.post(
                f"{base}{issuer_path}/token", data={"grant_type": "client_credentials"}, timeout=10)
            with lock:
                if reply.status_code == 200:
                    counts[base]["ok"] += 1
                elif reply.status_code == 429:
                    counts[base]["limited"] += 1
                    if not reply.headers.get("Retry-After", "").isdigit():
                        problems.append(f"429 without Retry-After: {reply.headers}")
                    if reply.json().get("error") is None:
                        problems.append(f"429 without an error code: {reply.text[:200]}")
                else:
                    counts[base]["other"] += 1
                    problems.append(f"{reply.status_code}: {reply.text[:200]}")

    threads = [threading.Thread(target=drive, args=(base,)) for base in bases for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    admitted = sum(c["ok"] for c in counts.values())
    # The documented tolerance: the budget over the run, one burst of it, and 10% for instances'
    # clocks and the heartbeat's rounding.
    ceiling = 1.1 * (limit * elapsed + limit)
    floor = 0.7 * limit * elapsed
    if admitted > ceiling:
        problems.append(f"{admitted} admitted in {elapsed:.1f} s: more than {ceiling:.0f} (limit {limit}/s)")
    if admitted < floor:
        problems.append(f"{admitted} admitted in {elapsed:.1f} s: fewer than {floor:.0f} (limit {limit}/s)")
    for base, c in counts.items():
        if c["ok"] == 0 or c["limited"] == 0:
            problems.append(f"{base} was not both serving and limiting: {c}")
    return {
        "mode": "rate", "limit_per_second": limit, "seconds": round(elapsed, 2), "admitted": admitted,
        "admitted_per_second": round(admitted / elapsed, 1), "ceiling": round(ceiling), "floor": round(floor),
        "per_instance": counts, "problems": problems,
    }


def authorization_url(base: str, issuer_path: str, client_id: str, redirect_uri: str) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid",
        "state": secrets.token_urlsafe(8), "code_challenge": challenge, "code_challenge_method": "S256",
    })
    return f"{base}{issuer_path}/authorize?{query}"


def attempt(bases: list[str], index: int, issuer_path: str, client_id: str, redirect_uri: str,
            username: str, password: str) -> tuple[requests.Response, str]:
    """Fetches the login page at one instance and posts it to the next; returns the answer and
    where it came from."""
    browser = requests.Session()
    shown_at, posted_to = bases[index % len(bases)], bases[(index + 1) % len(bases)]
    page = browser.get(authorization_url(shown_at, issuer_path, client_id, redirect_uri), timeout=10)
    if page.status_code != 200 or 'name="password"' not in page.text:
        raise SystemExit(f"no login page at {shown_at}: {page.status_code} {page.text[:300]}")
    action, inputs, _ = read_form(page)
    inputs.update(username=username, password=password)
    # Every instance has the cluster's one public URL: post to the next instance's own address.
    target = urlsplit(action)
    action = posted_to + target.path + (f"?{target.query}" if target.query else "")
    return browser.post(action, data=inputs, allow_redirects=False, timeout=10), posted_to


def backoff(issuer_path: str, client_id: str, redirect_uri: str, username: str, password: str,
            bases: list[str]) -> dict:
    problems: list[str] = []
    answers = []
    for index in range(FREE_ATTEMPTS):
        reply, at = attempt(bases, index, issuer_path, client_id, redirect_uri, username, "wrong-" + str(index))
        answers.append((at, reply.status_code))
        if reply.status_code != 400 and reply.status_code != 401 and reply.status_code != 200:
            problems.append(f"wrong password {index + 1} at {at}: {reply.status_code} {reply.text[:200]}")
    instances_used = len({at for at, _ in answers})
    # The free attempts are spent, spread over every instance: the next attempt anywhere waits.
    blocked_at = []
    for index in range(FREE_ATTEMPTS, FREE_ATTEMPTS + len(bases)):
        reply, at = attempt(bases, index, issuer_path, client_id, redirect_uri, username, password)
        blocked_at.append(at)
        if reply.status_code != 429 or "Too many failed attempts" not in reply.text:
            problems.append(f"attempt {index + 1} (right password) at {at} was not held back: "
                            f"{reply.status_code} {reply.text[:200]}")
    # Once the block (2 s after the fifth failure) has passed, the right password works anywhere.
    time.sleep(2.5)
    reply, at = attempt(bases, 2 * len(bases) + 1, issuer_path, client_id, redirect_uri, username, password)
    signed_in = reply.status_code == 303 or (reply.status_code == 200 and 'name="decision"' in reply.text)
    if not signed_in:
        problems.append(f"the right password after the block at {at}: {reply.status_code} {reply.text[:200]}")
    return {
        "mode": "backoff", "wrong_passwords": answers, "instances_counted": instances_used,
        "held_back_at": blocked_at, "signed_in_after_block": signed_in, "problems": problems,
    }


def main() -> int:
    mode = sys.argv[1]
    if mode == "rate":
        issuer_path, client_id, secret, limit, seconds = sys.argv[2:7]
        result = rate(issuer_path, client_id, secret, int(limit), float(seconds), sys.argv[7:])
    elif mode == "backoff":
        issuer_path, client_id, redirect_uri, username, password = sys.argv[2:7]
        result = backoff(issuer_path, client_id, redirect_uri, username, password, sys.argv[7:])
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
