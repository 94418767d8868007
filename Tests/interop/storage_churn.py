"""A sustained churn of everything that leaves rows behind (issue 15, "storage that stays
bounded"): codes through the login and consent pages in fresh browsers (sessions, codes,
consent checks, audit events), refresh rotations, a replayed refresh token now and then (reuse
detection revokes the family and its access tokens), revocations at the revocation endpoint,
device authorizations and client credentials. Run against several instances round-robin.

Usage: storage_churn.py CONFIG_JSON

CONFIG_JSON (a file): the keys of cluster_load.py's configuration ("urls", "tenant",
"client_id", "client_secret", "redirect_uri", "username", "password", "workers", "stop_file")
plus "device_client_id" and "device_client_secret". Runs until `stop_file` exists; prints one
JSON object with the counts of what it did as its last line and exits 0 only if every answer was
the one expected.
"""
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from cluster_load import Cluster


def churn(cluster: Cluster) -> dict:
    config = cluster.config
    stop_file = config["stop_file"]
    device_auth = (config["device_client_id"], config["device_client_secret"])

    def device_authorization():
        try:
            reply = cluster.session().post(
                cluster.url() + "/device_authorization", data={"scope": "orders:read"}, auth=device_auth, timeout=15)
            ok = cluster.record("device authorization", reply.status_code, (200,), reply.text)
            if ok and "device_code" not in reply.json():
                cluster.record("device authorization body", "no device_code", ("device_code",))
        except requests.RequestException as error:
            cluster.record("device authorization", 0, (200,), repr(error))

    def worker(index):
        round = 0
        while not os.path.exists(stop_file):
            round += 1
            ok, body = cluster.post("client credentials", "/token", {"grant_type": "client_credentials"})
            if ok and round % 2 == 0:
                cluster.post("access token revocation", "/revoke",
                             {"token": body["access_token"], "token_type_hint": "access_token"})
            device_authorization()
            if round % 3 == 1:
                # A fresh browser: a new sign-in, so a new session row and its audit event.
                cluster.local.session = requests.Session()
            signed_in = cluster.signed_in_tokens()
            if signed_in is None:
                continue
            chain = signed_in[1]["refresh_token"]
            used = None
            for _ in range(3):
                ok, body = cluster.refresh(chain)
                if not ok:
                    chain = None
                    break
                used, chain = chain, body["refresh_token"]
            if chain is None:
                continue
            if round % 4 == 0 and used is not None:
                # RFC 9700 §4.14.2: a used token again; the whole family is revoked.
                ok, body = cluster.refresh(used, operation="refresh reuse", expected=(400,))
                if ok and body.get("error") != "invalid_grant":
                    cluster.record("refresh reuse error", body.get("error"), ("invalid_grant",))
            elif round % 4 == 1:
                cluster.post("refresh token revocation", "/revoke",
                             {"token": chain, "token_type_hint": "refresh_token"})
            if not os.path.exists(stop_file + ".started"):
                open(stop_file + ".started", "w").close()
        return index

    with ThreadPoolExecutor(max_workers=config["workers"]) as pool:
        list(pool.map(worker, range(config["workers"])))
    return {"counts": dict(cluster.counts), "requests": sum(cluster.counts.values()),
            "failures": cluster.failures}


def main() -> int:
    with open(sys.argv[1]) as file:
        cluster = Cluster(json.load(file))
    summary = churn(cluster)
    print(json.dumps(summary))
    return 0 if not summary["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
