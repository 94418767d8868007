"""authlib against Tessera's dynamic client registration: a client registers by RFC 7591 with
an initial access token, authlib's own RFC 7591 claims class validates what the server
registered against the server's metadata, authlib's OAuth2Session then signs a user in with
that client (code flow, PKCE S256) and refreshes, and the client manages its registration by
RFC 7592: reads it, replaces it (a new registration access token; the old one is refused), and
deletes it, after which the client's credentials and refresh token are refused. The user's part
(login and consent forms) is played by a plain requests session. Prints one JSON object; exits
non-zero on any failure.

Usage: registration_authlib.py ISSUER INITIAL_ACCESS_TOKEN USERNAME PASSWORD
"""
import json
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7591 import ClientMetadataClaims

from tessera_pages import sign_in_and_approve

REDIRECT_URI = "https://app.example.com/callback"
SERVER_MEMBERS = ["registration_access_token", "registration_client_uri", "client_id_issued_at",
                  "client_secret_expires_at"]


def validated(information: dict, metadata: dict) -> dict:
    """authlib's RFC 7591 §2 checks, with the server's metadata as the allowed values."""
    claims = ClientMetadataClaims(information, {}, options=ClientMetadataClaims.get_claims_options(metadata))
    claims.validate()
    return information


def main() -> int:
    issuer, initial_token, username, password = sys.argv[1:5]
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    endpoint = metadata["registration_endpoint"]
    result = {"registration_endpoint": endpoint}

    request = {
        "client_name": "authlib Orders", "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic", "scope": "openid orders:read",
        "client_uri": "https://app.example.com", "contacts": ["dev@app.example.com"],
    }
    refused = requests.post(endpoint, json=request, timeout=10)
    result["without_token"] = refused.status_code
    reply = requests.post(endpoint, json=request, headers={"Authorization": f"Bearer {initial_token}"}, timeout=10)
    assert reply.status_code == 201, reply.text
    assert reply.headers.get("Cache-Control") == "no-store", reply.headers
    information = validated(reply.json(), metadata)
    client_id, client_secret = information["client_id"], information["client_secret"]
    result["registered"] = {name: information.get(name) for name in
                            ["client_name", "token_endpoint_auth_method", "grant_types", "response_types", "scope",
                             "client_secret_expires_at", "contacts"]}

    session = OAuth2Session(
        client_id, client_secret, scope="openid orders:read", redirect_uri=REDIRECT_URI,
        code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    verifier = generate_token(64)
    url, _ = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
    callback = sign_in_and_approve(requests.Session(), url, username, password)
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    refreshed = session.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    result["signed_in"] = {"scope": token.get("scope"), "refreshed": "access_token" in refreshed}

    configuration = information["registration_client_uri"]
    access = information["registration_access_token"]
    read = requests.get(configuration, headers={"Authorization": f"Bearer {access}"}, timeout=10)
    assert read.status_code == 200, read.text
    result["read_matches"] = validated(read.json(), metadata)["client_id"] == client_id

    replacement = {name: value for name, value in information.items() if name not in SERVER_MEMBERS}
    replacement["client_name"] = "authlib Orders 2"
    replacement["redirect_uris"] = [REDIRECT_URI, "https://app.example.com/callback-2"]
    updated = requests.put(configuration, json=replacement, headers={"Authorization": f"Bearer {access}"}, timeout=10)
    assert updated.status_code == 200, updated.text
    new_information = validated(updated.json(), metadata)
    new_access = new_information["registration_access_token"]
    result["updated"] = {"client_name": new_information["client_name"],
                         "redirect_uris": new_information["redirect_uris"],
                         "token_rotated": new_access != access}
    result["old_token_after_update"] = requests.get(
        configuration, headers={"Authorization": f"Bearer {access}"}, timeout=10).status_code

    deleted = requests.delete(configuration, headers={"Authorization": f"Bearer {new_access}"}, timeout=10)
    result["deleted"] = deleted.status_code
    result["read_after_delete"] = requests.get(
        configuration, headers={"Authorization": f"Bearer {new_access}"}, timeout=10).status_code
    after = requests.post(metadata["token_endpoint"], data={
        "grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]},
        auth=(client_id, client_secret), timeout=10)
    result["refresh_after_delete"] = {"status": after.status_code, "error": after.json().get("error")}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
