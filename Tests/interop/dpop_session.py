"""A DPoP client as an independent library would be one (RFC 9449): joserfc makes the key and
signs the proofs, requests sends them. Shared by the interop scripts that hold DPoP-bound
tokens; the server is only ever seen through HTTP.

- one P-256 key per session, named by joserfc's own RFC 7638 thumbprint (`jkt`);
- a fresh proof per request (§4.2): `jti`, `htm`, `htu` without query and fragment (§4.2),
  `iat`, `ath` when an access token goes with it (§7.1), `nonce` once the server gave one;
- server nonces (§8, §9): the last `DPoP-Nonce` the server sent is used in the next proof, and a
  request refused with `use_dpop_nonce` (400 from the token and PAR endpoints, 401 with a
  `WWW-Authenticate: DPoP error="use_dpop_nonce"` challenge from resources) is sent once more
  with the new nonce, as client libraries do.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import uuid
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import requests
from joserfc import jws
from joserfc.jwk import ECKey


def ath(access_token: str) -> str:
    """RFC 9449 §4.2: base64url of the SHA-256 of the access token's ASCII."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def challenge_error(response: requests.Response) -> str | None:
    """The `error` of a `WWW-Authenticate` challenge (RFC 6750 §3, RFC 9449 §7.1), if any."""
    found = re.search(r'error="([^"]+)"', response.headers.get("WWW-Authenticate", ""))
    return found.group(1) if found else None


def error_of(response: requests.Response) -> str | None:
    """The OAuth error of a refusal: the JSON body's, or else the challenge's."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    return body.get("error") if isinstance(body, dict) and body.get("error") else challenge_error(response)


class DPoPSession:
    def __init__(self, key: ECKey | None = None, timeout: float = 10) -> None:
        self.key = key or ECKey.generate_key("P-256")
        self.nonce: str | None = None
        self.timeout = timeout
        self.http = requests.Session()
        #: URLs of the requests that had to be sent again with a fresh nonce.
        self.nonce_retries: list[str] = []
        #: The proof of the last request sent, for replaying it.
        self.last_proof: str | None = None

    @property
    def jkt(self) -> str:
        return self.key.thumbprint()

    def proof(self, method: str, url: str, access_token: str | None = None, nonce: str | None = None,
              key: ECKey | None = None, **extra) -> str:
        """A DPoP proof JWT (§4.2) for one request; `key` signs instead of ours when given."""
        signer = key or self.key
        parts = urlsplit(url)
        claims = {"jti": str(uuid.uuid4()), "htm": method, "iat": int(time.time()),
                  "htu": urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))}
        if access_token is not None:
            claims["ath"] = ath(access_token)
        if nonce or self.nonce:
            claims["nonce"] = nonce or self.nonce
        claims.update(extra)
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": signer.as_dict(private=False)}
        return jws.serialize_compact(header, json.dumps(claims).encode(), signer, algorithms=["ES256"])

    def send(self, method: str, url: str, access_token: str | None = None,
             data: Callable[[], dict] | None = None, proof: str | None = None,
             headers: dict | None = None, auth: tuple[str, str] | None = None) -> requests.Response:
        """Sends one request with a fresh proof (or `proof` as given, for replay checks), and
        once more with the server's new nonce when it answers `use_dpop_nonce`. `data` is called
        for each attempt, so a client assertion in it is never sent twice."""
        for attempt in range(2):
            sent = dict(headers or {})
            sent["DPoP"] = self.last_proof = proof or self.proof(method, url, access_token)
            if access_token is not None:
                sent["Authorization"] = f"DPoP {access_token}"
            response = self.http.request(method, url, data=data() if data else None, headers=sent, auth=auth,
                                         allow_redirects=False, timeout=self.timeout)
            if response.headers.get("DPoP-Nonce"):
                self.nonce = response.headers["DPoP-Nonce"]
            if attempt == 0 and proof is None and error_of(response) == "use_dpop_nonce":
                self.nonce_retries.append(url)
                continue
            return response
        return response
