"""The official `mcp` SDK's OAuth client, unchanged, against the MCP server example protected
by Tessera (issue 16): from the first 401 it discovers the protected-resource metadata
(RFC 9728) and Tessera's metadata (RFC 8414), registers itself (RFC 7591), completes the code
flow with PKCE and `resource` (RFC 8707) through Tessera's real login and consent pages (played
by a requests session), calls a tool, and on a tool that needs more scope follows the 403
`insufficient_scope` step-up and calls it again. Prints one JSON object.

With CLIENT_METADATA_URL the SDK identifies itself by that client ID metadata document
instead of registering, where the authorization server says it supports them.

Usage: mcp_client.py MCP_URL USERNAME PASSWORD [CLIENT_METADATA_URL]
"""
import asyncio
import json
import sys
from urllib.parse import parse_qs, urlparse

import requests
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from tessera_pages import sign_in_and_approve

CALLBACK = "http://127.0.0.1:53682/callback"


class Memory:
    def __init__(self):
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client

    async def set_client_info(self, client_info):
        self.client = client_info


async def main() -> int:
    url, username, password = sys.argv[1:4]
    client_metadata_url = sys.argv[4] if len(sys.argv) > 4 else None
    browser = requests.Session()
    visits: list[dict] = []
    pending: list[AuthorizationCodeResult] = []

    async def redirect_handler(authorization_url: str) -> None:
        query = parse_qs(urlparse(authorization_url).query)
        visits.append({"scope": query.get("scope", [""])[0], "resource": query.get("resource", [""])[0]})
        location = await asyncio.to_thread(sign_in_and_approve, browser, authorization_url, username, password)
        answer = parse_qs(urlparse(location).query)
        if "code" not in answer:
            raise SystemExit(f"the authorization was refused: {location}")
        pending.append(AuthorizationCodeResult(
            code=answer["code"][0], state=answer.get("state", [None])[0], iss=answer.get("iss", [None])[0]))

    async def callback_handler() -> AuthorizationCodeResult:
        return pending.pop()

    storage = Memory()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="mcp SDK client", redirect_uris=[CALLBACK], grant_types=["authorization_code", "refresh_token"],
            response_types=["code"], token_endpoint_auth_method="none"),
        storage=storage, redirect_handler=redirect_handler, callback_handler=callback_handler,
        client_metadata_url=client_metadata_url)
    result: dict = {}
    import httpx2
    async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = await session.list_tools()
                result["tools"] = sorted(tool.name for tool in tools.tools)
                added = await session.call_tool("add_note", {"text": "buy tea"})
                result["add_note"] = [part.text for part in added.content if hasattr(part, "text")]
                listed = await session.call_tool("list_notes", {})
                result["list_notes"] = [part.text for part in listed.content if hasattr(part, "text")]
    result["authorizations"] = visits
    result["client_id"] = storage.client.client_id if storage.client else None
    result["final_scope"] = storage.tokens.scope if storage.tokens else None
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
