"""Service A of a delegation chain: the Orders service. It receives a user's access token, makes
sure it is meant for it (introspection, RFC 7662), exchanges it for a narrower token for the
Billing API (token exchange, RFC 8693: scope billing:read, audience https://billing.example.com),
and calls the Billing API with that. The Billing API sees the user as `sub` and Service A in
`act`: who acts for whom, verifiable by anyone.

Usage: python3 service_a.py [--demo-file .tessera/demo.json] [--billing-api URL] [--port 9191]
Then:  curl -H "Authorization: Bearer $USER_TOKEN" http://127.0.0.1:9191/summary
"""
import argparse
import json
import http.server

import requests

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


class ServiceA:
    def __init__(self, demo: dict, billing_api: str):
        self.issuer = demo["issuer"]
        self.orders_audience = demo["apis"]["orders"]
        self.billing_audience = demo["apis"]["billing"]
        self.credentials = (demo["service_a"]["client_id"], demo["service_a"]["client_secret"])
        self.billing_api = billing_api
        metadata = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()
        self.token_endpoint = metadata["token_endpoint"]
        self.introspection_endpoint = metadata["introspection_endpoint"]

    def accepts(self, token: str) -> dict | None:
        """The token's claims when it is active and meant for this service, else None."""
        answer = requests.post(self.introspection_endpoint, auth=self.credentials, data={"token": token},
                               timeout=5).json()
        audience = answer.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not answer.get("active") or self.orders_audience not in audiences:
            return None
        return answer

    def billing_token(self, user_token: str) -> dict:
        """A narrower token for the Billing API, on the user's behalf (RFC 8693)."""
        answer = requests.post(self.token_endpoint, auth=self.credentials, timeout=5, data={
            "grant_type": TOKEN_EXCHANGE, "subject_token": user_token,
            "subject_token_type": ACCESS_TOKEN_TYPE, "requested_token_type": ACCESS_TOKEN_TYPE,
            "scope": "billing:read", "audience": self.billing_audience,
        })
        return {"status": answer.status_code, **answer.json()}

    def summary(self, user_token: str) -> tuple[int, dict]:
        claims = self.accepts(user_token)
        if claims is None:
            return 401, {"error": "invalid_token"}
        exchanged = self.billing_token(user_token)
        if exchanged["status"] != 200:
            return 403, {"error": "the exchange was refused", "detail": exchanged}
        billing = requests.get(f"{self.billing_api}/invoices", timeout=5,
                               headers={"Authorization": f"Bearer {exchanged['access_token']}"})
        return 200, {
            "user": claims["sub"],
            "exchanged_scope": exchanged["scope"],
            "billing_status": billing.status_code,
            "billing": billing.json() if billing.status_code == 200 else billing.headers.get("WWW-Authenticate"),
        }


def handler_for(service: ServiceA):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            header = self.headers.get("Authorization", "")
            if self.path != "/summary":
                status, body = 404, {"error": "not_found"}
            elif not header.lower().startswith("bearer "):
                status, body = 401, {"error": "invalid_token"}
            else:
                status, body = service.summary(header[7:].strip())
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="orders", error="invalid_token"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-file", default=".tessera/demo.json")
    parser.add_argument("--billing-api", default="http://127.0.0.1:9092")
    parser.add_argument("--port", type=int, default=9191)
    arguments = parser.parse_args()
    service = ServiceA(json.load(open(arguments.demo_file)), arguments.billing_api)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), handler_for(service))
    print(f"service A listening on http://127.0.0.1:{arguments.port}/summary", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
