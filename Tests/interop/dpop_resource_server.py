"""An independent DPoP client at the resource-server example (RFC 9449 §7): gets a
client-credentials token bound to its joserfc key from Tessera, then calls the API's /orders
with `Authorization: DPoP` and a proof per request, and tries what an attacker or a careless
client would: the same proof twice, a proof for another token (`ath`), for another URL (`htu`),
by another key, no proof, and the bound token under `Bearer`. Prints one JSON object with each
answer's status, `WWW-Authenticate` error and the challenges offered.

Usage: dpop_resource_server.py ISSUER CLIENT_ID CLIENT_SECRET API_URL
"""
import http.client
import json
import sys
from urllib.parse import urlsplit

import requests
from joserfc.jwk import ECKey

from dpop_session import DPoPSession, challenge_error


def answer(response: requests.Response) -> dict:
    # requests joins repeated headers with ", "; the raw fields show each challenge.
    challenges = response.raw.headers.getlist("WWW-Authenticate") if response.raw else []
    return {"status": response.status_code, "error": challenge_error(response), "challenges": challenges,
            "binding": response.json().get("binding") if response.status_code == 200 else None}


def two_proofs(url: str, access: str, *proofs: str) -> dict:
    """§4.3 item 1: one DPoP header only. requests cannot repeat a header; http.client can."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", parts.path)
    connection.putheader("Authorization", f"DPoP {access}")
    for proof in proofs:
        connection.putheader("DPoP", proof)
    connection.endheaders()
    response = connection.getresponse()
    challenges = response.headers.get_all("WWW-Authenticate") or []
    connection.close()
    found = [c for c in challenges if 'error="' in c]
    return {"status": response.status, "error": found[0].split('error="')[1].split('"')[0] if found else None,
            "challenges": challenges, "binding": None}


def main() -> int:
    issuer, client_id, client_secret, api = sys.argv[1:5]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    dpop = DPoPSession()
    issued = dpop.send("POST", metadata["token_endpoint"],
                       data=lambda: {"grant_type": "client_credentials"}, auth=(client_id, client_secret))
    token = issued.json()
    assert issued.status_code == 200 and token["token_type"] == "DPoP", token
    access = token["access_token"]
    orders = f"{api}/orders"

    def call(proof: str | None, scheme: str = "DPoP", url: str = orders) -> dict:
        headers = {"Authorization": f"{scheme} {access}"}
        if proof is not None:
            headers["DPoP"] = proof
        return answer(requests.get(url, headers=headers, timeout=10))

    first = dpop.proof("GET", orders, access)
    results = {
        "ok": call(first),
        "replay": call(first),
        "second": call(dpop.proof("GET", orders, access)),
        "wrong_ath": call(dpop.proof("GET", orders, access + "x")),
        "no_ath": call(dpop.proof("GET", orders)),
        "wrong_htu": call(dpop.proof("GET", f"{api}/invoices", access)),
        "wrong_htm": call(dpop.proof("POST", orders, access)),
        "other_key": call(dpop.proof("GET", orders, access, key=ECKey.generate_key("P-256"))),
        "stale": call(dpop.proof("GET", orders, access, iat=0)),
        "no_proof": call(None),
        "two_proofs": two_proofs(orders, access, dpop.proof("GET", orders, access), dpop.proof("GET", orders, access)),
        "as_bearer": call(dpop.proof("GET", orders, access), scheme="Bearer"),
        "anonymous": answer(requests.get(orders, timeout=10)),
        "insufficient_scope": call(dpop.proof("GET", f"{api}/invoices", access), url=f"{api}/invoices"),
    }
    print(json.dumps({"thumbprint": dpop.jkt, **results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
