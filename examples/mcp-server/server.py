"""An MCP server whose tools act for a Tessera user (issue 16): the official `mcp` SDK's server,
protected as an OAuth resource server (RFC 9728). It verifies each access token on its own with
the tenant's published keys (joserfc): signature, `iss`, `exp`, and that `aud` names this server.
`list_notes` needs `notes:read`, `add_note` also `notes:write`; a call without it is answered
403 `insufficient_scope` naming the scopes to ask for, which MCP clients take as a step-up.

Usage: server.py --issuer http://127.0.0.1:8080/t/demo [--port 9300]
"""
import argparse
import json
import time
import urllib.request

import uvicorn
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer

READ, WRITE = "notes:read", "notes:write"
# The scope each tool needs beyond notes:read (which every call needs).
TOOL_SCOPES = {"add_note": [READ, WRITE]}


class TesseraTokens:
    """Access tokens of one Tessera tenant for one resource, verified with its JWKS."""

    def __init__(self, issuer: str, resource: str):
        self.issuer, self.resource = issuer, resource
        metadata = json.load(urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=10))
        self.jwks_uri, self.keys, self.fetched = metadata["jwks_uri"], None, 0.0

    def key_set(self, refresh: bool = False) -> KeySet:
        # A key the cached set does not hold makes one refetch, at most every 10 s.
        if self.keys is None or (refresh and time.time() - self.fetched > 10):
            self.keys = KeySet.import_key_set(json.load(urllib.request.urlopen(self.jwks_uri, timeout=10)))
            self.fetched = time.time()
        return self.keys

    async def verify_token(self, token: str) -> AccessToken | None:
        for refresh in (False, True):
            try:
                decoded = jwt.decode(token, self.key_set(refresh), algorithms=["ES256", "EdDSA", "Ed25519", "RS256"])
                break
            except (JoseError, ValueError):
                if refresh:
                    return None
        claims = decoded.claims
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        try:
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.issuer}, exp={"essential": True}).validate(claims)
        except JoseError:
            return None
        if self.resource not in audiences:
            return None
        return AccessToken(
            token=token, client_id=claims.get("client_id", ""), scopes=claims.get("scope", "").split(),
            expires_at=claims.get("exp"), resource=self.resource, subject=claims.get("sub"),
            claims={"iss": claims.get("iss")})


class ToolScopes:
    """ASGI layer in front of the MCP app: a `tools/call` of a tool that needs more scope than
    the token holds is answered 403 `insufficient_scope` (RFC 6750 §3.1) with the scopes to ask
    for and the metadata URL (RFC 9728 §5.1), before the MCP app sees it."""

    def __init__(self, app, tokens: TesseraTokens, metadata_url: str):
        self.app, self.tokens, self.metadata_url = app, tokens, metadata_url

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        messages, body, more = [], b"", True
        while more:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            more = message.get("more_body", False)
        needed = self.needed(body)
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode()
        if needed and authorization.lower().startswith("bearer "):
            access = await self.tokens.verify_token(authorization[7:].strip())
            if access is not None and not set(needed) <= set(access.scopes):
                wanted = " ".join(sorted(set(access.scopes) | set(needed)))
                challenge = (f'Bearer error="insufficient_scope", scope="{wanted}", '
                             f'resource_metadata="{self.metadata_url}"')
                await send({"type": "http.response.start", "status": 403, "headers": [
                    (b"www-authenticate", challenge.encode()), (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": b'{"error": "insufficient_scope"}'})
                return
        replay = iter(messages)

        async def replayed():
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replayed, send)

    @staticmethod
    def needed(body: bytes) -> list[str]:
        try:
            message = json.loads(body)
        except ValueError:
            return []
        calls = message if isinstance(message, list) else [message]
        scopes: list[str] = []
        for call in calls:
            if isinstance(call, dict) and call.get("method") == "tools/call":
                scopes += TOOL_SCOPES.get((call.get("params") or {}).get("name", ""), [])
        return scopes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuer", required=True, help="the Tessera tenant's issuer")
    parser.add_argument("--port", type=int, default=9300)
    arguments = parser.parse_args()
    base = f"http://127.0.0.1:{arguments.port}"
    resource = f"{base}/mcp"
    tokens = TesseraTokens(arguments.issuer, resource)
    server = MCPServer(
        "Tessera notes", token_verifier=tokens,
        auth=AuthSettings(
            issuer_url=arguments.issuer, resource_server_url=resource, required_scopes=[READ],
            validate_token_resource=True))
    notes: dict[str, list[str]] = {}

    @server.tool()
    def list_notes() -> list[str]:
        """The signed-in user's notes."""
        from mcp.server.auth.middleware.auth_context import get_access_token
        return notes.get(get_access_token().subject or "", [])

    @server.tool()
    def add_note(text: str) -> str:
        """Adds a note for the signed-in user (needs notes:write)."""
        from mcp.server.auth.middleware.auth_context import get_access_token
        notes.setdefault(get_access_token().subject or "", []).append(text)
        return f"added: {text}"

    app = ToolScopes(server.streamable_http_app(), tokens, f"{base}/.well-known/oauth-protected-resource/mcp")
    uvicorn.run(app, host="127.0.0.1", port=arguments.port, log_level="warning")


if __name__ == "__main__":
    main()
