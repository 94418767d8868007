"""Writes COUNT DPoP proofs (RFC 9449 §4.2) for POST URL, one per line, made with one P-256 key
by the `cryptography` package: the bench's DPoP phase sends each once, as a real client would
(a proof's jti is accepted once). `iat` is set ahead by LEAD seconds so the proofs stay inside
the server's 60-second window for the whole phase.

Usage: dpop_proofs.py COUNT URL LEAD > proofs.txt
"""
import base64
import json
import sys
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> int:
    count, url, lead = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x.to_bytes(32, "big")), "y": b64(numbers.y.to_bytes(32, "big"))}
    header = b64(json.dumps({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}, separators=(",", ":")).encode())
    iat = int(time.time()) + lead
    out = sys.stdout
    for _ in range(count):
        claims = {"jti": uuid.uuid4().hex, "htm": "POST", "htu": url, "iat": iat}
        signing_input = header + "." + b64(json.dumps(claims, separators=(",", ":")).encode())
        r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        out.write(signing_input + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
