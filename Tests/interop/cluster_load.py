"""Load, races and checks against several Tessera instances on one database (issue 15: rolling
restarts, SIGKILL, refresh-token races). A plain `requests` client; the user's part of the
authorization code flow is played through the login and consent forms (tessera_pages).

Usage: cluster_load.py MODE CONFIG_JSON

CONFIG_JSON (a file): {"urls": [base URLs, tried round-robin], "tenant", "client_id",
"client_secret", "redirect_uri", "username", "password", "workers", "stop_file", "races",
"batch", "per_instance", "state", "session_must_hold"}.

Modes, each printing one JSON object as its last line and exiting 0 only if every answer was
the one expected:
- load: `workers` threads until `stop_file` exists, each looping client credentials,
  introspection, JWKS, an authorization code redemption, refresh rotations and now and then a
  revocation. Every answer must be the expected one (2xx; 303 for the authorization step); a
  failed connection counts as a failure too, unless `tolerate_connection_errors` is set (the
  SIGKILL test), where the token it carried is reported as in doubt. With `session_must_hold`
  each worker's browser signs in once: a login page after that is a failure (the master key
  change must not sign anybody out).
- races: `races` times, a fresh refresh token (from a code) is sent by `per_instance` requests to
  each of `urls` at once; exactly one may win, every other one must be `invalid_grant`, and the
  family must be revoked afterwards (the losers presented a used token, RFC 9700 §4.14.2).
- check: the state file of a `load` (`state`): each token handed out in a 200 rotates exactly
  once, each in doubt at most once, each revoked one and each redeemed code is refused.
- check-races: the state file of `races`: every token of every race is refused and every
  winner's access token is inactive.
"""
import base64
import hashlib
import json
import os
import secrets
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlencode, urlparse

import requests

from tessera_pages import sign_in_and_approve


class Cluster:
    def __init__(self, config):
        self.config = config
        self.urls = config["urls"]
        self.tenant = config["tenant"]
        self.auth = (config["client_id"], config["client_secret"])
        self.local = threading.local()
        self.lock = threading.Lock()
        self.counts = Counter()
        self.failures = []
        self.next = 0

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def url(self, base=None):
        if base is None:
            with self.lock:
                base = self.urls[self.next % len(self.urls)]
                self.next += 1
        return f"{base}/t/{self.tenant}"

    def record(self, operation, status, expected, body=""):
        with self.lock:
            self.counts[f"{operation} {status}"] += 1
            if status not in expected and len(self.failures) < 50:
                self.failures.append({"operation": operation, "status": status, "body": body[:300],
                                      "at": time.time()})
        return status in expected

    def post(self, operation, path, data, base=None, expected=(200,)):
        """Returns (ok, json or None); a connection error is status 0."""
        try:
            reply = self.session().post(self.url(base) + path, data=data, auth=self.auth, timeout=15)
        except requests.RequestException as error:
            self.record(operation, 0, expected, repr(error))
            return False, None
        try:
            body = reply.json()
        except ValueError:
            body = None
        return self.record(operation, reply.status_code, expected, reply.text), body

    def code(self, base=None):
        """A fresh authorization code and its verifier, through the login and consent pages."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode({
            "response_type": "code", "client_id": self.auth[0], "redirect_uri": self.config["redirect_uri"],
            "scope": "orders:read", "state": secrets.token_urlsafe(8), "code_challenge": challenge,
            "code_challenge_method": "S256"})
        try:
            location = sign_in_and_approve(
                self.session(), f"{self.url(base)}/authorize?{query}", self.config["username"],
                self.config["password"],
                signed_in=self.config.get("session_must_hold", False) and getattr(self.local, "signed_in", False))
        except (requests.RequestException, SystemExit) as error:
            self.record("authorize", 0, (303,), repr(error))
            return None
        self.local.signed_in = True
        self.record("authorize", 303, (303,))
        return parse_qs(urlparse(location).query)["code"][0], verifier

    def redeem(self, code, verifier, base=None, operation="code redemption", expected=(200,)):
        return self.post(operation, "/token", {
            "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": self.config["redirect_uri"]}, base=base, expected=expected)

    def signed_in_tokens(self):
        """A fresh code through the pages, redeemed: (code and verifier, token response), or
        None when either step did not answer as expected (already recorded)."""
        issued = self.code()
        if issued is None:
            return None
        ok, body = self.redeem(*issued)
        return (issued, body) if ok else None

    def refresh(self, token, base=None, operation="refresh", expected=(200,)):
        return self.post(operation, "/token", {"grant_type": "refresh_token", "refresh_token": token},
                         base=base, expected=expected)


def load(cluster: Cluster) -> dict:
    stop_file = cluster.config["stop_file"]
    tolerate = cluster.config.get("tolerate_connection_errors", False)
    state = {"chains": {}, "in_doubt": [], "revoked": [], "codes": []}
    state_lock = threading.Lock()

    def worker(index):
        chain = None
        round = 0
        while not os.path.exists(stop_file):
            round += 1
            ok, body = cluster.post("client credentials", "/token", {"grant_type": "client_credentials"})
            if ok:
                ok, info = cluster.post("introspection", "/introspect", {"token": body["access_token"]})
                if ok and info.get("active") is not True:
                    cluster.record("introspection active", "inactive", ("active",))
            try:
                reply = cluster.session().get(cluster.url() + "/jwks.json", timeout=15)
                cluster.record("jwks", reply.status_code, (200,), reply.text)
            except requests.RequestException as error:
                cluster.record("jwks", 0, (200,), repr(error))
            if chain is None:
                signed_in = cluster.signed_in_tokens()
                if signed_in is None:
                    continue
                issued, body = signed_in
                with state_lock:
                    state["codes"].append(list(issued))
                chain = body["refresh_token"]
            for _ in range(3):
                ok, body = cluster.refresh(chain)
                if not ok:
                    if tolerate:
                        with state_lock:
                            state["in_doubt"].append(chain)
                    chain = None
                    break
                chain = body["refresh_token"]
            if chain is not None and round % 5 == 0:
                ok, _ = cluster.post("revocation", "/revoke", {"token": chain, "token_type_hint": "refresh_token"})
                with state_lock:
                    (state["revoked"] if ok else state["in_doubt"]).append(chain)
                chain = None
            with state_lock:
                state["chains"][index] = chain
            if not os.path.exists(stop_file + ".started"):
                open(stop_file + ".started", "w").close()
        # Each worker ends holding a live chain, so `check` always has chains to rotate: one
        # ended by a revocation, or by an instance killed under it, is replaced.
        for _ in range(10):
            if chain is not None:
                break
            signed_in = cluster.signed_in_tokens()
            if signed_in is not None:
                issued, body = signed_in
                with state_lock:
                    state["codes"].append(list(issued))
                chain = body["refresh_token"]
        with state_lock:
            state["chains"][index] = chain
        return index

    with ThreadPoolExecutor(max_workers=cluster.config["workers"]) as pool:
        list(pool.map(worker, range(cluster.config["workers"])))
    state["chains"] = [token for token in state["chains"].values() if token]
    with open(cluster.config["state"], "w") as file:
        json.dump(state, file)
    connection_errors = sum(n for key, n in cluster.counts.items() if key.endswith(" 0"))
    failures = [f for f in cluster.failures if not (tolerate and f["status"] == 0)]
    return {"counts": dict(cluster.counts), "requests": sum(cluster.counts.values()),
            "connection_errors": connection_errors, "failures": failures,
            "chains": len(state["chains"]), "in_doubt": len(state["in_doubt"]),
            "revoked": len(state["revoked"]), "codes": len(state["codes"])}


def check(cluster: Cluster) -> dict:
    with open(cluster.config["state"]) as file:
        state = json.load(file)
    problems = []
    for token in state["chains"]:
        ok, _ = cluster.refresh(token, operation="check: last token rotates")
        if not ok:
            problems.append("a token handed out in a 200 did not rotate")
        ok, body = cluster.refresh(token, operation="check: second use refused", expected=(400,))
        if not ok or body.get("error") != "invalid_grant":
            problems.append(f"a rotated token was accepted again: {body}")
    doubtful_accepted = 0
    for token in state["in_doubt"]:
        ok, body = cluster.refresh(token, operation="check: in doubt", expected=(200, 400))
        if ok and body and "refresh_token" in body:
            doubtful_accepted += 1
            ok, body = cluster.refresh(token, operation="check: in doubt, second use", expected=(400,))
            if not ok:
                problems.append("a token in doubt was accepted twice")
        elif not ok or body.get("error") != "invalid_grant":
            problems.append(f"a token in doubt got {body}")
    for token in state["revoked"]:
        ok, body = cluster.refresh(token, operation="check: revoked refused", expected=(400,))
        if not ok or body.get("error") != "invalid_grant":
            problems.append(f"a revoked token was accepted: {body}")
    for code, verifier in state["codes"]:
        ok, body = cluster.redeem(code, verifier, operation="check: redeemed code refused", expected=(400,))
        if not ok or body.get("error") != "invalid_grant":
            problems.append(f"a redeemed code was accepted again: {body}")
    return {"counts": dict(cluster.counts), "problems": problems[:20], "problem_count": len(problems),
            "failures": cluster.failures, "chains": len(state["chains"]), "in_doubt": len(state["in_doubt"]),
            "in_doubt_accepted_once": doubtful_accepted, "revoked": len(state["revoked"]),
            "codes": len(state["codes"])}


def races(cluster: Cluster) -> dict:
    per_instance = cluster.config["per_instance"]
    contenders = [url for url in cluster.urls for _ in range(per_instance)]
    pool = ThreadPoolExecutor(max_workers=cluster.config["batch"] * len(contenders))
    outcomes = []
    outcome_lock = threading.Lock()

    def race(index):
        issued = cluster.code(cluster.urls[index % len(cluster.urls)])
        if issued is None:
            return
        ok, body = cluster.redeem(*issued, base=cluster.urls[index % len(cluster.urls)])
        if not ok:
            return
        token = body["refresh_token"]
        barrier = threading.Barrier(len(contenders))

        def contend(base):
            barrier.wait(timeout=30)
            try:
                reply = cluster.session().post(
                    f"{base}/t/{cluster.tenant}/token", auth=cluster.auth, timeout=15,
                    data={"grant_type": "refresh_token", "refresh_token": token})
                return reply.status_code, reply.json()
            except (requests.RequestException, ValueError) as error:
                return 0, {"error": repr(error)}

        answers = list(pool.map(contend, contenders))
        winners = [answer for status, answer in answers if status == 200]
        losers = [answer for status, answer in answers if status != 200]
        with outcome_lock:
            outcomes.append({
                "token": token,
                "winners": len(winners),
                "losers_invalid_grant": sum(1 for status, a in answers if status == 400 and a.get("error") == "invalid_grant"),
                "loser_answers": [a for a in losers if a.get("error") != "invalid_grant"][:2],
                "new_refresh": winners[0].get("refresh_token") if len(winners) == 1 else None,
                "new_access": winners[0].get("access_token") if len(winners) == 1 else None,
            })

    started = time.time()
    # Each race holds len(contenders) threads of `pool`: `batch` races run at once.
    with ThreadPoolExecutor(max_workers=cluster.config["batch"]) as runners:
        list(runners.map(race, range(cluster.config["races"])))
    pool.shutdown()
    elapsed = time.time() - started
    # After the races: the winner's new refresh token belongs to a revoked family.
    revoked_after = 0
    for outcome in outcomes:
        if outcome["new_refresh"]:
            ok, body = cluster.refresh(outcome["new_refresh"], base=cluster.urls[0],
                                       operation="race: winner's new token refused", expected=(400,))
            if ok and body.get("error") == "invalid_grant":
                revoked_after += 1
    with open(cluster.config["state"], "w") as file:
        json.dump(outcomes, file)
    exactly_one = sum(1 for o in outcomes if o["winners"] == 1)
    all_losers = sum(1 for o in outcomes if o["losers_invalid_grant"] == len(contenders) - 1)
    return {"races": len(outcomes), "requested": cluster.config["races"], "contenders": len(contenders),
            "exactly_one_winner": exactly_one, "losers_all_invalid_grant": all_losers,
            "family_revoked_after": revoked_after, "seconds": round(elapsed, 1),
            "odd": [o for o in outcomes if o["winners"] != 1 or o["losers_invalid_grant"] != len(contenders) - 1][:3],
            "counts": dict(cluster.counts), "failures": cluster.failures}


def check_races(cluster: Cluster) -> dict:
    with open(cluster.config["state"]) as file:
        outcomes = json.load(file)
    refused = accepted = 0
    inactive = active = 0
    tokens = [o["token"] for o in outcomes] + [o["new_refresh"] for o in outcomes if o["new_refresh"]]

    def present(pair):
        index, token = pair
        ok, body = cluster.refresh(token, base=cluster.urls[index % len(cluster.urls)],
                                   operation="after restart: used token refused", expected=(400,))
        return ok and body.get("error") == "invalid_grant"

    def introspect(pair):
        index, token = pair
        ok, body = cluster.post("after restart: winner's access token", "/introspect", {"token": token},
                                base=cluster.urls[index % len(cluster.urls)])
        return ok and body.get("active") is False

    with ThreadPoolExecutor(max_workers=12) as pool:
        for result in pool.map(present, enumerate(tokens)):
            refused += result
            accepted += not result
        for result in pool.map(introspect, enumerate(o["new_access"] for o in outcomes if o["new_access"])):
            inactive += result
            active += not result
    return {"tokens": len(tokens), "refused": refused, "accepted": accepted, "access_inactive": inactive,
            "access_active": active, "counts": dict(cluster.counts), "failures": cluster.failures}


def main() -> int:
    mode, path = sys.argv[1:3]
    with open(path) as file:
        config = json.load(file)
    cluster = Cluster(config)
    result = {"load": load, "check": check, "races": races, "check-races": check_races}[mode](cluster)
    print(json.dumps(result))
    failed = result.get("failures") or result.get("problem_count")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
