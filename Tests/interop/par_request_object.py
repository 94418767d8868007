"""An independent client completes the authorization code flow the way FAPI 2.0 asks, against a
running Tessera, with joserfc for every JOSE object and requests for HTTP:

1. reads the metadata and makes a P-256 DPoP key (dpop_session.py);
2. pushes a signed request object (RFC 9101 §4: `typ` oauth-authz-req+jwt, `iss`, `aud` the
   issuer, `client_id`, `exp`, `nbf`) to the PAR endpoint (RFC 9126 §2) with PKCE S256 and
   `dpop_jkt` = joserfc's RFC 7638 thumbprint of its key (RFC 9449 §10);
3. follows `{authorization_endpoint}?client_id=…&request_uri=…` through the login and consent
   pages (tessera_pages.py) and checks `iss` (RFC 9207) and `state` in the redirect;
4. redeems the code with a DPoP proof: `token_type` DPoP and `cnf.jkt` its thumbprint (§5);
5. calls userinfo with `Authorization: DPoP` and a proof with `ath` (§7);
6. refreshes with a new proof, after showing that a refresh without one is refused (§5: a public
   client's refresh token is bound to the key; at a FAPI 2.0 tenant every token request needs one);
7. meets the refusals a client would: a request_uri used twice, a request object signed by a key
   the client never registered, replayed proofs.

With `--private-key-jwt` the client authenticates with an assertion whose `aud` is the issuer
(FAPI 2.0 §5.3.2.1 item 8) and also sends a proof with the push (RFC 9449 §10.1). Nonces
(`use_dpop_nonce`) are handled wherever the server asks. Prints one JSON object.

Usage:
  par_request_object.py keygen KEY_FILE JWKS_FILE
  par_request_object.py flow ISSUER CLIENT_ID REDIRECT_URI USERNAME PASSWORD KEY_FILE [--private-key-jwt]
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sys
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from dpop_session import DPoPSession, error_of
from tessera_pages import sign_in_and_approve

KID = "request-key-1"


def keygen(key_file: str, jwks_file: str) -> int:
    """The client's signing key (request objects, and assertions for private_key_jwt) and the
    public JWKS an operator registers with `tessera client create --jwks-file`."""
    key = ECKey.generate_key("P-256", parameters={"kid": KID, "alg": "ES256", "use": "sig"})
    with open(key_file, "w") as file:
        json.dump(key.as_dict(private=True), file)
    with open(jwks_file, "w") as file:
        json.dump({"keys": [key.as_dict(private=False)]}, file)
    print(json.dumps({"kid": KID}))
    return 0


class Client:
    def __init__(self, issuer: str, client_id: str, redirect_uri: str, key: ECKey, private_key_jwt: bool):
        self.issuer, self.client_id, self.redirect_uri = issuer, client_id, redirect_uri
        self.key, self.private_key_jwt = key, private_key_jwt

    def authentication(self) -> dict:
        """RFC 7523 §2.2 with a fresh `jti` each time, or `client_id` alone for a public client."""
        if not self.private_key_jwt:
            return {"client_id": self.client_id}
        now = int(time.time())
        assertion = jwt.encode(
            {"alg": "ES256", "kid": KID},
            {"iss": self.client_id, "sub": self.client_id, "aud": self.issuer, "iat": now, "exp": now + 60,
             "jti": str(uuid.uuid4())},
            self.key, algorithms=["ES256"])
        return {"client_id": self.client_id, "client_assertion": assertion,
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}

    def request_object(self, parameters: dict, key: ECKey | None = None) -> str:
        now = int(time.time())
        claims = {"iss": self.client_id, "aud": self.issuer, "client_id": self.client_id, "iat": now,
                  "nbf": now, "exp": now + 300, **parameters}
        return jwt.encode({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": KID}, claims, key or self.key,
                          algorithms=["ES256"])


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def flow(issuer: str, client_id: str, redirect_uri: str, username: str, password: str, key_file: str,
         private_key_jwt: bool) -> int:
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == issuer, metadata
    for member, value in [("dpop_signing_alg_values_supported", "ES256"),
                          ("request_object_signing_alg_values_supported", "ES256"),
                          ("code_challenge_methods_supported", "S256")]:
        assert value in metadata.get(member, []), (member, metadata)
    par_endpoint = metadata["pushed_authorization_request_endpoint"]
    token_endpoint = metadata["token_endpoint"]
    client = Client(issuer, client_id, redirect_uri, ECKey.import_key(json.load(open(key_file))), private_key_jwt)
    dpop = DPoPSession()
    verifier, challenge = pkce()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    parameters = {"response_type": "code", "redirect_uri": redirect_uri, "scope": "openid orders:read",
                  "state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
                  "dpop_jkt": dpop.jkt}
    summary: dict = {"private_key_jwt": private_key_jwt, "thumbprint": dpop.jkt,
                     "require_pushed_authorization_requests": metadata.get("require_pushed_authorization_requests")}

    def push(form: dict) -> requests.Response:
        data = lambda: {**client.authentication(), **form}  # noqa: E731
        if private_key_jwt:  # §10.1: a proof with the push binds the code to its key, too
            return dpop.send("POST", par_endpoint, data=data)
        return requests.post(par_endpoint, data=data(), timeout=10)

    # The push first: at a tenant that requires nonces its first proof is refused for the nonce.
    pushed = push({"request": client.request_object(parameters)})
    summary["par_status"] = pushed.status_code
    body = pushed.json()
    assert pushed.status_code == 201, body
    # Refusals at the push: no request object from a client that must sign, another key's signature.
    unsigned = push(dict(parameters))
    summary["unsigned_push"] = [unsigned.status_code, error_of(unsigned)]
    forged = push({"request": client.request_object(parameters, key=ECKey.generate_key("P-256"))})
    summary["foreign_key_push"] = [forged.status_code, error_of(forged)]
    summary["expires_in"] = body.get("expires_in")
    summary["request_uri_prefix"] = body["request_uri"].rsplit(":", 1)[0]

    browser = requests.Session()
    authorize = metadata["authorization_endpoint"] + "?" + urlencode(
        {"client_id": client_id, "request_uri": body["request_uri"]})
    location = sign_in_and_approve(browser, authorize, username, password)
    answer = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    summary["redirect"] = {"to": location.split("?")[0], "iss": answer.get("iss") == issuer,
                           "state": answer.get("state") == state, "code": "code" in answer}
    reused = browser.get(authorize, allow_redirects=False, timeout=10)
    summary["reused_request_uri"] = [
        reused.status_code, "invalid_request_uri" if "invalid_request_uri" in reused.text else reused.text[:300]]

    redeem = {"grant_type": "authorization_code", "code": answer["code"], "code_verifier": verifier,
              "redirect_uri": redirect_uri}
    issued = dpop.send("POST", token_endpoint, data=lambda: {**client.authentication(), **redeem})
    redemption_proof = dpop.last_proof
    token = issued.json()
    assert issued.status_code == 200, token
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    access = jwt.decode(token["access_token"], keys, algorithms=["ES256", "Ed25519", "EdDSA", "PS256"])
    summary["token"] = {"token_type": token.get("token_type"), "cnf": access.claims.get("cnf"),
                        "typ": access.header.get("typ"), "refresh_token": "refresh_token" in token,
                        "id_token": "id_token" in token}

    userinfo = dpop.send("GET", metadata["userinfo_endpoint"], token["access_token"])
    userinfo_proof = dpop.last_proof
    summary["userinfo"] = [userinfo.status_code, error_of(userinfo) or userinfo.json().get("sub")]
    summary["sub"] = access.claims["sub"]
    replayed = dpop.send("GET", metadata["userinfo_endpoint"], token["access_token"], proof=userinfo_proof)
    summary["userinfo_replay"] = [replayed.status_code, error_of(replayed)]
    as_bearer = requests.get(metadata["userinfo_endpoint"], timeout=10,
                             headers={"Authorization": f"Bearer {token['access_token']}"})
    summary["userinfo_as_bearer"] = [as_bearer.status_code, error_of(as_bearer)]
    without_ath = dpop.send("GET", metadata["userinfo_endpoint"], token["access_token"],
                            proof=dpop.proof("GET", metadata["userinfo_endpoint"]))
    summary["userinfo_without_ath"] = [without_ath.status_code, error_of(without_ath)]

    refresh = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    bare = requests.post(token_endpoint, data={**client.authentication(), **refresh}, timeout=10)
    summary["refresh_without_proof"] = [bare.status_code, error_of(bare)]
    other_key = DPoPSession()
    other_key.nonce = dpop.nonce
    stolen = other_key.send("POST", token_endpoint, data=lambda: {**client.authentication(), **refresh})
    summary["refresh_other_key"] = [stolen.status_code, error_of(stolen)]
    refreshed = dpop.send("POST", token_endpoint, data=lambda: {**client.authentication(), **refresh})
    renewed = refreshed.json()
    assert refreshed.status_code == 200, renewed
    renewed_access = jwt.decode(renewed["access_token"], keys, algorithms=["ES256", "Ed25519", "EdDSA", "PS256"])
    summary["refresh"] = {"token_type": renewed.get("token_type"), "cnf": renewed_access.claims.get("cnf"),
                          "rotated": renewed.get("refresh_token") not in (None, token["refresh_token"])}

    # The redemption's proof once more, with a fresh assertion: the proof is what is refused.
    replay = dpop.send("POST", token_endpoint, data=lambda: {**client.authentication(), **redeem},
                       proof=redemption_proof)
    summary["token_proof_replay"] = [replay.status_code, error_of(replay)]
    summary["nonce_retries"] = sorted({urlsplit(url).path.rsplit("/", 1)[-1] for url in dpop.nonce_retries})
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "keygen":
        sys.exit(keygen(*sys.argv[2:4]))
    sys.exit(flow(*sys.argv[2:8], private_key_jwt="--private-key-jwt" in sys.argv[8:]))
