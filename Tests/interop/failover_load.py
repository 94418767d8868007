"""Load on three Tessera instances while their PostgreSQL primary is stopped and its synchronous
standby promoted (docs/database-failover.md). Plays, with requests, what clients do:

- refresh workers, each rotating its own refresh-token chain (RFC 6749 §6) across the instances;
- a consent worker: creates a client through the admin API, signs the user's consent to it in
  the browser pages, redeems the code (RFC 6749 §4.1.3);
- a client-credentials worker (RFC 6749 §4.4) that also introspects each token (RFC 7662).

Every answer is recorded. The primary is stopped, the standby promoted a few seconds later, the
load goes on, then what was committed is checked: every refresh token last handed out in a 200
rotates once more, every redeemed code is refused when replayed and its refresh token rotates,
every consent given and client created is there. Prints one JSON report; the Swift test judges.

Usage: failover_load.py CONFIG.json   (keys: instances, tenant, web_client, admin_client,
redirect_uri, username, password, user_id, stop_primary, promote_standby, warm, outage, after)
"""
import base64
import hashlib
import json
import secrets
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests

from tessera_pages import read_form

TIMEOUT = 15


class Recorder:
    """Every answer: when, which instance, what for, the status and its Retry-After."""

    def __init__(self):
        self.lock = threading.Lock()
        self.answers = []
        self.errors = []

    def answer(self, what, instance, response):
        with self.lock:
            self.answers.append({
                "t": time.monotonic(), "what": what, "instance": instance, "status": response.status_code,
                "retry_after": response.headers.get("Retry-After"),
                "body": response.text[:200] if response.status_code >= 400 else "",
            })

    def error(self, what, instance, error, started, request_id):
        with self.lock:
            self.errors.append({"t": time.monotonic(), "started": started, "what": what, "instance": instance,
                                "error": repr(error)[:300], "request_id": request_id})


class Cluster:
    def __init__(self, config, recorder):
        self.instances = config["instances"]
        self.tenant = config["tenant"]
        self.public_url = config["public_url"]
        self.recorder = recorder
        self.turn = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            self.turn += 1
            return self.turn % len(self.instances)

    def issuer(self, index):
        return f"{self.instances[index]}/t/{self.tenant}"

    def call(self, what, index, method, path, session=None, **kwargs):
        """One request to instance `index`, recorded; None when it did not answer at all. `path`
        is under the issuer, or an absolute URL of the shared public URL (form actions), whose
        path and query are sent to the instance."""
        if path.startswith("http"):
            parsed = urlparse(path)
            url = self.instances[index] + parsed.path + (f"?{parsed.query}" if parsed.query else "")
        else:
            url = self.issuer(index) + path
        started = time.monotonic()
        # Named, so the instance's log lines of a request that got no answer can be found.
        request_id = uuid.uuid4().hex
        headers = {**kwargs.pop("headers", {}), "X-Request-ID": request_id}
        try:
            response = (session or requests).request(
                method, url, timeout=TIMEOUT, allow_redirects=False, headers=headers, **kwargs)
        except requests.RequestException as error:
            self.recorder.error(what, index, error, started, request_id)
            return None
        self.recorder.answer(what, index, response)
        return response


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(cluster, index, client_id, redirect_uri, challenge):
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid",
        "state": secrets.token_urlsafe(8), "code_challenge": challenge, "code_challenge_method": "S256",
    })
    return f"{cluster.public_url}/t/{cluster.tenant}/authorize?{query}"


def approve(cluster, index, browser, url, config):
    """The user's part, recorded: follows the pages' redirects within the tenant, signs in if
    asked, approves the consent page; the Location of the 303 back to the client, or None when a
    page answered otherwise (an outage's 503)."""
    page = cluster.call("authorize", index, "GET", url, session=browser)
    for _ in range(8):
        if page is None:
            return None
        if page.status_code == 303:
            location = urljoin(page.url, page.headers["Location"])
            if not urlparse(location).path.startswith("/t/"):
                return location
            page = cluster.call("authorize", index, "GET", location, session=browser)
        elif page.status_code == 200 and 'name="password"' in page.text:
            action, inputs, _ = read_form(page)
            inputs.update(username=config["username"], password=config["password"])
            page = cluster.call("login", index, "POST", action, session=browser, data=inputs)
        elif page.status_code == 200 and 'name="decision"' in page.text:
            action, inputs, _ = read_form(page)
            inputs["decision"] = "approve"
            page = cluster.call("consent", index, "POST", action, session=browser, data=inputs)
        else:
            return None
    return None


def code_from(location):
    return parse_qs(urlparse(location).query).get("code", [None])[0]


def refresh(cluster, index, client, token, what="refresh"):
    return cluster.call(
        what, index, "POST", "/token", auth=client,
        data={"grant_type": "refresh_token", "refresh_token": token})


class RefreshChain:
    """One client's chain of refresh tokens: each 200 hands out the next (rotation)."""

    def __init__(self, token):
        self.token = token          # the last one a 200 handed out
        self.rotations = 0
        self.failed_attempt = False  # the last try of `token` got no 200 (an outage's 503)
        self.dead = None            # why the chain ended early


def refresh_worker(cluster, client, chain, stop):
    while not stop.is_set():
        index = cluster.next()
        response = refresh(cluster, index, client, chain.token)
        if response is None or response.status_code >= 500:
            chain.failed_attempt = True
            time.sleep(0.2)
            continue
        if response.status_code != 200:
            # invalid_grant right after a 503 on the same token: that rotation committed while its
            # answer was lost with the primary (reported as ambiguous); after a 200 it is a loss.
            chain.dead = {"status": response.status_code, "body": response.text[:200],
                          "after_failed_attempt": chain.failed_attempt}
            return
        chain.token = response.json()["refresh_token"]
        chain.rotations += 1
        chain.failed_attempt = False


class AdminToken:
    def __init__(self, cluster, client):
        self.cluster = cluster
        self.client = client
        self.value = None

    def get(self, index):
        if self.value is None:
            response = self.cluster.call(
                "admin_token", index, "POST", "/token", auth=self.client, data={"grant_type": "client_credentials"})
            if response is None or response.status_code != 200:
                return None
            self.value = response.json()["access_token"]
        return self.value


def consent_worker(cluster, config, browser, admin, results, stop):
    redirect_uri = config["redirect_uri"]
    number = 0
    while not stop.is_set():
        number += 1
        index = cluster.next()
        token = admin.get(index)
        if token is None:
            time.sleep(0.2)
            continue
        created = cluster.call(
            "admin_write", index, "POST", "/admin/v1/clients", headers={"Authorization": f"Bearer {token}"},
            json={"name": f"Failover app {number}", "redirect_uris": [redirect_uri], "scope": "openid",
                  "grant_types": ["authorization_code", "refresh_token"]})
        if created is None or created.status_code != 201:
            time.sleep(0.2)
            continue
        client = created.json()
        results["clients"].append(client["client_id"])
        verifier, challenge = pkce()
        url = authorization_url(cluster, index, client["client_id"], redirect_uri, challenge)
        location = approve(cluster, index, browser, url, config)
        if location is None:
            # A page of the outage (its 503 is recorded) ends this round.
            time.sleep(0.2)
            continue
        code = code_from(location)
        if code is None:
            results["no_code"].append(location[:200])
            continue
        results["consents"].append(client["client_id"])
        redeem_at = cluster.next()
        redeemed = cluster.call(
            "code", redeem_at, "POST", "/token", auth=(client["client_id"], client["client_secret"]),
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                  "code_verifier": verifier})
        if redeemed is not None and redeemed.status_code == 200:
            results["codes"].append({
                "client": [client["client_id"], client["client_secret"]], "code": code, "verifier": verifier,
                "refresh_token": redeemed.json()["refresh_token"]})


def client_credentials_worker(cluster, client, results, stop):
    while not stop.is_set():
        index = cluster.next()
        response = cluster.call("client_credentials", index, "POST", "/token", auth=client,
                                data={"grant_type": "client_credentials"})
        if response is not None and response.status_code == 200:
            token = response.json()["access_token"]
            cluster.call("introspection", cluster.next(), "POST", "/introspect", auth=client, data={"token": token})
        time.sleep(0.05)


def readiness(cluster):
    bodies = []
    for base in cluster.instances:
        try:
            response = requests.get(f"{base}/readyz", timeout=TIMEOUT)
            bodies.append({"status": response.status_code, "body": response.json(),
                           "retry_after": response.headers.get("Retry-After")})
        except (requests.RequestException, ValueError) as error:
            bodies.append({"error": repr(error)})
    return bodies


def new_chain(cluster, config, browser):
    """A refresh token of the web client through the whole code flow (consent given once)."""
    index = cluster.next()
    web = tuple(config["web_client"])
    verifier, challenge = pkce()
    location = approve(cluster, index, browser, authorization_url(cluster, index, web[0], config["redirect_uri"], challenge), config)
    response = cluster.call(
        "setup", index, "POST", "/token", auth=web,
        data={"grant_type": "authorization_code", "code": code_from(location),
              "redirect_uri": config["redirect_uri"], "code_verifier": verifier})
    if response is None or response.status_code != 200:
        raise SystemExit(f"setup: no refresh token: {response and response.text}")
    return RefreshChain(response.json()["refresh_token"])


def main():
    config = json.load(open(sys.argv[1]))
    recorder = Recorder()
    cluster = Cluster(config, recorder)
    web = tuple(config["web_client"])
    admin_client = tuple(config["admin_client"])
    browser = requests.Session()
    chains = [new_chain(cluster, config, browser) for _ in range(config.get("chains", 3))]
    admin = AdminToken(cluster, admin_client)
    results = {"clients": [], "consents": [], "codes": [], "no_code": []}
    stop = threading.Event()
    workers = [threading.Thread(target=refresh_worker, args=(cluster, web, chain, stop)) for chain in chains]
    workers.append(threading.Thread(target=consent_worker, args=(cluster, config, browser, admin, results, stop)))
    workers.append(threading.Thread(target=client_credentials_worker, args=(cluster, admin_client, results, stop)))
    for worker in workers:
        worker.start()

    time.sleep(config["warm"])
    stopped_at = time.monotonic()
    subprocess.run(config["stop_primary"], shell=True, check=True, timeout=60)
    stopped_done = time.monotonic()
    time.sleep(config["outage"] / 2)
    during_outage = readiness(cluster)
    time.sleep(config["outage"] / 2)
    promote_started = time.monotonic()
    subprocess.run(config["promote_standby"], shell=True, check=True, timeout=60)
    promoted_at = time.monotonic()
    time.sleep(config["after"])
    stop.set()
    for worker in workers:
        worker.join(timeout=60)
    ended_at = time.monotonic()
    after = readiness(cluster)

    # What was committed is still there, asked through the instances after the load.
    final_rotation = []
    for chain in chains:
        if chain.dead is None:
            response = refresh(cluster, cluster.next(), web, chain.token, what="final")
            final_rotation.append(response.status_code if response is not None else None)
    code_replays = []
    code_refreshes = []
    for code in results["codes"]:
        client = tuple(code["client"])
        # The refresh token first: replaying the code then revokes what it issued (RFC 6749 §4.1.2).
        rotated = refresh(cluster, cluster.next(), client, code["refresh_token"], what="final")
        replay = cluster.call(
            "final", cluster.next(), "POST", "/token", auth=client,
            data={"grant_type": "authorization_code", "code": code["code"], "redirect_uri": config["redirect_uri"],
                  "code_verifier": code["verifier"]})
        code_replays.append(replay.json().get("error") if replay is not None and replay.status_code == 400 else
                            (replay.status_code if replay is not None else None))
        code_refreshes.append(rotated.status_code if rotated is not None else None)
    admin.value = None
    token = admin.get(0)
    listed = set()
    cursor = ""
    while True:
        page = cluster.call("final", 0, "GET", f"/admin/v1/users/{config['user_id']}/consents?limit=200&cursor={cursor}",
                            headers={"Authorization": f"Bearer {token}"}).json()
        listed.update(item["client_id"] for item in page.get("items", []))
        cursor = page.get("next_cursor") or ""
        if not cursor:
            break
    missing_clients = [
        client for client in results["clients"]
        if cluster.call("final", cluster.next(), "GET", f"/admin/v1/clients/{client}",
                        headers={"Authorization": f"Bearer {token}"}).status_code != 200]

    def relative(t):
        return round(t - promoted_at, 3)

    answers = recorder.answers
    first_write_after_promotion = {}
    for index in range(len(cluster.instances)):
        writes = [a["t"] for a in answers if a["instance"] == index and a["status"] in (200, 201)
                  and a["what"] in ("refresh", "admin_write", "code") and a["t"] >= promote_started]
        first_write_after_promotion[str(index)] = relative(min(writes)) if writes else None
    outage = [a for a in answers if stopped_at <= a["t"] < promote_started]
    print(json.dumps({
        "seconds": {"warm": config["warm"], "stop": round(stopped_done - stopped_at, 3),
                    "promote": round(promoted_at - promote_started, 3), "total": round(ended_at - stopped_at, 3)},
        "answers": len(answers),
        "statuses": sorted({(a["what"], a["status"]) for a in answers}),
        "no_code": results["no_code"][:3],
        "refused_codes": [a["body"] for a in answers if a["what"] == "code" and a["status"] != 200][:3],
        "server_errors_not_503": [a for a in answers if a["status"] >= 500 and a["status"] != 503][:20],
        "unavailable_without_retry_after": [a for a in answers if a["status"] == 503 and not a["retry_after"]][:20],
        "unavailable": sum(1 for a in answers if a["status"] == 503),
        "transport_errors": [dict(e, t=relative(e["t"]), started=relative(e["started"])) for e in recorder.errors[:20]],
        # Requests sent while the primary was being killed (from the start of `pg_ctl stop` to
        # half a second after it returned): the test reports them apart.
        "stop_window": [relative(stopped_at), relative(stopped_done + 0.5)],
        "client_credentials_during_outage": sorted({a["status"] for a in outage if a["what"] == "client_credentials"}),
        "client_credentials_during_outage_count": sum(1 for a in outage if a["what"] == "client_credentials"),
        "introspection_during_outage": sorted({a["status"] for a in outage if a["what"] == "introspection"}),
        "writes_during_outage": sorted({a["status"] for a in outage if a["what"] in ("refresh", "admin_write", "code")}),
        "first_write_after_promotion": first_write_after_promotion,
        "rotations": [chain.rotations for chain in chains],
        "dead_chains": [chain.dead for chain in chains if chain.dead is not None],
        "final_rotation": final_rotation,
        "codes": len(results["codes"]),
        "code_replays": sorted(set(map(str, code_replays))),
        "code_refreshes": sorted(set(map(str, code_refreshes))),
        "clients": len(results["clients"]),
        "missing_clients": missing_clients,
        "consents": len(results["consents"]),
        "missing_consents": [client for client in results["consents"] if client not in listed],
        "readiness_during_outage": during_outage,
        "readiness_after": after,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
