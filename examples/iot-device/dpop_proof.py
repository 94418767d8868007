#!/usr/bin/env python3
"""The device's DPoP key and proofs (RFC 9449), for device-flow.sh: the shell does the HTTP with
curl, this prints one proof per request. Needs joserfc (`pip install joserfc`).

    dpop_proof.py KEY_FILE METHOD URL [NONCE]   a proof for one request (makes the key if missing)
    dpop_proof.py KEY_FILE --thumbprint         the key's RFC 7638 thumbprint (what cnf.jkt names)

The private key stays in KEY_FILE (mode 0600); a real device would keep it in its secure
element and never let it out. A proof is good for one request only (its `jti`), so the device
makes a new one for every poll.
"""
import json
import os
import sys
import time
import uuid

from joserfc import jws
from joserfc.jwk import ECKey


def load_or_make(path: str) -> ECKey:
    if os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            return ECKey.import_key(json.load(file))
    key = ECKey.generate_key("P-256")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(key.as_dict(private=True), file)
    return key


def proof(key: ECKey, method: str, url: str, nonce: str | None) -> str:
    """§4.2: typ dpop+jwt, the public key in the header; jti, htm, htu (no query), iat."""
    claims = {"jti": str(uuid.uuid4()), "htm": method, "htu": url.split("?")[0], "iat": int(time.time())}
    if nonce:
        claims["nonce"] = nonce  # §8: the server's DPoP-Nonce, when it asked for one
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    return jws.serialize_compact(header, json.dumps(claims).encode(), key, algorithms=["ES256"])


def main() -> int:
    key = load_or_make(sys.argv[1])
    if sys.argv[2:] == ["--thumbprint"]:
        print(key.thumbprint())
    else:
        method, url = sys.argv[2:4]
        print(proof(key, method, url, sys.argv[4] if len(sys.argv) > 4 else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
