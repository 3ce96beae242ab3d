"""MCP: the official Python SDK, mcp 2.3.0, against a real `gatehouse serve`'s `/mcp` (Streamable
HTTP, stateless, JSON answers). With the demo integration's key as a static bearer token it lists
the Notion tools and reads and writes what the key may; with the SDK's own OAuthClientProvider it
finds the server from the 401 alone (protected-resource metadata, authorization-server metadata,
dynamic registration), the consent step driven in headless Chromium, and then sees only the page
picked there. A revoked token is refused on the next call; the discovery documents, the 401 and
405 answers and RFC 8707's `invalid_target` are checked with plain requests.

What the SDK does on the wire (read in mcp/client/streamable_http.py, mcp/client/auth/oauth2.py):
`Client(...)` first POSTs `server/discover` (MCP-Protocol-Version 2026-07-28) and falls back to
`initialize` on any JSON-RPC error or bare 4xx; it never sends GET or DELETE to a server that
gave no Mcp-Session-Id. The OAuth provider sends `resource` (the MCP endpoint's URL) on the
authorize and token requests, `scope` = the protected-resource metadata's scopes_supported, and,
registered without a token_endpoint_auth_method, authenticates with HTTP Basic while also
sending `client_id` in the token request's body."""

import json
import re
import time
import urllib.parse
import uuid
from contextlib import asynccontextmanager

import anyio
import httpx2
import requests
from mcp import Client, MCPError
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.auth.oauth2 import check_registration_usable
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthMetadata,
    OAuthToken,
    ProtectedResourceMetadata,
)
from mcp.shared.auth_utils import check_resource_allowed
from notion_client import Client as NotionClient

# The selenium consent helper and its fixtures (a module-scoped browser and loopback redirect
# URI), imported as test_console, test_forward_auth and test_markup import them: pytest gives
# this module its own instances.
from test_oauth import browser, callback, consent  # noqa: F401

TOOLS = {
    "notion-search",
    "notion-fetch",
    "notion-query-data-source",
    "notion-create-page",
    "notion-update-page",
    "notion-append-blocks",
    "notion-get-block-children",
    "notion-create-comment",
    "notion-get-comments",
    "notion-get-users",
    "notion-get-self",
}
# The versions the SDK can negotiate through `initialize` (mcp_types.version.HANDSHAKE_PROTOCOL_VERSIONS),
# from the first with structuredContent.
STRUCTURED_VERSIONS = {"2025-06-18", "2025-11-25"}
JSON_RPC_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def mcp_url(sandbox):
    return sandbox.base_url + "/mcp"


@asynccontextmanager
async def connected(sandbox, token=None, auth=None):
    """An SDK client on /mcp, its requests carrying `token` as a static bearer token or
    authorized by `auth` (an OAuthClientProvider). `Client` negotiates as the SDK does by default:
    the server/discover probe, then initialize."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    timeout = httpx2.Timeout(30.0, read=60.0)
    async with httpx2.AsyncClient(headers=headers, auth=auth, timeout=timeout) as http:
        async with Client(streamable_http_client(mcp_url(sandbox), http_client=http), cache=None) as client:
            yield client


def answer(result):
    """The API's JSON from a successful tool result: its one text content, the same object as
    structuredContent."""
    assert not result.is_error, result.content
    assert [content.type for content in result.content] == ["text"]
    body = json.loads(result.content[0].text)
    assert result.structured_content == body
    return body


def refusal(result):
    """The Notion error object of a tool result that reports an API error."""
    assert result.is_error, result.structured_content
    error = json.loads(result.content[0].text)
    assert error["object"] == "error"
    return error


def title_of(page):
    prop = next(value for value in page["properties"].values() if value["type"] == "title")
    return "".join(part["plain_text"] for part in prop["title"])


def blocks_in(value):
    """Every block object anywhere in `value` (notion-fetch nests a page's first blocks)."""
    if isinstance(value, dict):
        found = [value] if value.get("object") == "block" else []
        return found + [block for item in value.values() for block in blocks_in(item)]
    if isinstance(value, list):
        return [block for item in value for block in blocks_in(item)]
    return []


def text(content):
    return [{"type": "text", "text": {"content": content}}]


def getting_started(sandbox):
    notion = NotionClient(auth=sandbox.key, base_url=sandbox.base_url)
    found = notion.search(query="Getting started", filter={"property": "object", "value": "page"})
    return next(page for page in found["results"] if title_of(page) == "Getting started")


def unshared_page(sandbox, title):
    return sandbox.cli("page", "create", "--workspace", sandbox.workspace_id, "--title", f"{title} {uuid.uuid4().hex[:8]}")


async def refused_within(client, seconds):
    """Calls a tool until the server refuses the token; fails if it still answers `seconds` after
    this was called (right after the revocation)."""
    revoked = time.monotonic()
    while True:
        try:
            await client.call_tool("notion-get-self", {})
        except MCPError:
            return time.monotonic() - revoked
        assert time.monotonic() - revoked < seconds, f"the token still worked {seconds} s after its revocation"
        await anyio.sleep(0.05)


def raw_initialize(sandbox, token=None):
    headers = dict(JSON_RPC_HEADERS)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "compat", "version": "1"}},
    }
    return requests.post(mcp_url(sandbox), headers=headers, json=body)


def resource_metadata_of(response):
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer "), challenge
    found = re.search(r'resource_metadata="([^"]+)"', challenge)
    assert found, challenge
    return found.group(1), challenge


class MemoryStorage:
    """The SDK's TokenStorage protocol (mcp.client.auth.TokenStorage), in memory."""

    def __init__(self):
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


def test_the_demo_key_lists_the_tools_and_reads_and_writes_what_it_may(sandbox):
    home = getting_started(sandbox)
    private = unshared_page(sandbox, "MCP private")
    title = f"Made over MCP {uuid.uuid4().hex[:8]}"

    async def run():
        async with connected(sandbox, token=sandbox.key) as client:
            # Stateless and JSON-only, yet the SDK's handshake completes (discover → initialize).
            assert client.protocol_version in STRUCTURED_VERSIONS
            assert client.server_capabilities.tools is not None

            listed = await client.list_tools()
            tools = {tool.name: tool for tool in listed.tools}
            assert TOOLS <= set(tools), f"missing {TOOLS - set(tools)}"
            for tool in tools.values():
                assert tool.description and tool.input_schema["type"] == "object"
            for name, argument in [
                ("notion-fetch", "id"),
                ("notion-create-page", "parent"),
                ("notion-query-data-source", "data_source_id"),
                ("notion-append-blocks", "block_id"),
            ]:
                assert argument in tools[name].input_schema.get("required", []), name

            me = answer(await client.call_tool("notion-get-self", {}))
            assert me["type"] == "bot" and me["name"] == "Demo integration"

            found = answer(
                await client.call_tool(
                    "notion-search", {"query": "Getting started", "filter": {"property": "object", "value": "page"}}
                )
            )
            assert found["object"] == "list"
            assert home["id"] in [page["id"] for page in found["results"]]

            fetched = answer(await client.call_tool("notion-fetch", {"id": home["id"]}))
            assert fetched["object"] == "page" and fetched["id"] == home["id"]
            assert {"heading_1", "paragraph"} <= {block["type"] for block in blocks_in(fetched)}

            tasks = answer(
                await client.call_tool("notion-search", {"filter": {"property": "object", "value": "data_source"}})
            )
            tasks = next(source for source in tasks["results"] if source["title"][0]["plain_text"] == "Tasks")
            done = answer(
                await client.call_tool(
                    "notion-query-data-source",
                    {"data_source_id": tasks["id"], "filter": {"property": "Status", "status": {"equals": "Done"}}},
                )
            )
            assert done["results"] and all(page["properties"]["Done"]["checkbox"] for page in done["results"])

            created = answer(
                await client.call_tool(
                    "notion-create-page",
                    {
                        "parent": {"page_id": home["id"]},
                        "properties": {"title": {"title": text(title)}},
                        "children": [{"paragraph": {"rich_text": text("Written by the MCP SDK")}}],
                    },
                )
            )
            assert created["object"] == "page" and created["parent"]["page_id"] == home["id"]
            again = answer(await client.call_tool("notion-fetch", {"id": created["id"]}))
            assert title_of(again) == title
            paragraphs = [b for b in blocks_in(again) if b["type"] == "paragraph"]
            assert [p["paragraph"]["rich_text"][0]["plain_text"] for p in paragraphs] == ["Written by the MCP SDK"]

            appended = answer(
                await client.call_tool(
                    "notion-append-blocks",
                    {"block_id": created["id"], "children": [{"to_do": {"rich_text": text("Check it"), "checked": False}}]},
                )
            )
            assert [block["type"] for block in appended["results"]] == ["to_do"]
            children = answer(await client.call_tool("notion-get-block-children", {"block_id": created["id"]}))
            assert [block["type"] for block in children["results"]] == ["paragraph", "to_do"]

            comment = answer(
                await client.call_tool(
                    "notion-create-comment", {"parent": {"page_id": created["id"]}, "rich_text": text("Seen over MCP")}
                )
            )
            assert comment["object"] == "comment"
            comments = answer(await client.call_tool("notion-get-comments", {"block_id": created["id"]}))
            assert [c["id"] for c in comments["results"]] == [comment["id"]]

            renamed = answer(
                await client.call_tool(
                    "notion-update-page",
                    {"page_id": created["id"], "properties": {"title": {"title": text(title + " (renamed)")}}},
                )
            )
            assert title_of(renamed) == title + " (renamed)"

            people = answer(await client.call_tool("notion-get-users", {}))
            assert any(user.get("person", {}).get("email") == sandbox.owner_email for user in people["results"])

            # A page the integration was not given is an API error inside the tool result, not a
            # JSON-RPC error: the model sees Notion's error object.
            hidden = refusal(await client.call_tool("notion-fetch", {"id": private["id"]}))
            assert hidden["code"] in ("object_not_found", "restricted_resource") and hidden["status"] in (403, 404)
            blocked = refusal(
                await client.call_tool(
                    "notion-create-page",
                    {"parent": {"page_id": private["id"]}, "properties": {"title": {"title": text("Nope")}}},
                )
            )
            assert blocked["code"] in ("object_not_found", "restricted_resource")

    anyio.run(run)


def test_the_sdk_oauth_provider_discovers_registers_and_sees_only_the_page_consented_to(sandbox, browser, callback):
    shared = unshared_page(sandbox, "MCP shared")
    home = getting_started(sandbox)
    prm = requests.get(f"{sandbox.base_url}/.well-known/oauth-protected-resource/mcp").json()
    storage = MemoryStorage()
    steps = {}

    async def redirect_handler(authorization_url):
        steps["authorize"] = authorization_url
        # selenium blocks, so it runs on a worker thread; the SDK stops the request's clock
        # while a person is at the browser.
        steps["returned"] = await anyio.to_thread.run_sync(
            lambda: consent(browser, sandbox, callback, authorization_url, share=shared["title"])
        )

    async def callback_handler():
        query = urllib.parse.parse_qs(urllib.parse.urlparse(steps["returned"]).query)
        assert "error" not in query, query
        return AuthorizationCodeResult(code=query["code"][0], state=query["state"][0], iss=query["iss"][0])

    provider = OAuthClientProvider(
        server_url=mcp_url(sandbox),
        # "Compat App": the name the consent helper expects on the page.
        client_metadata=OAuthClientMetadata(client_name="Compat App", redirect_uris=[callback.uri]),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )

    async def run():
        async with connected(sandbox, auth=provider) as client:
            assert client.protocol_version in STRUCTURED_VERSIONS
            assert TOOLS <= {tool.name for tool in (await client.list_tools()).tools}
            found = answer(await client.call_tool("notion-search", {}))
            assert [result["id"] for result in found["results"]] == [shared["id"]]
            me = answer(await client.call_tool("notion-get-self", {}))
            assert me["type"] == "bot" and me["bot"]["owner"]["type"] == "user"
            hidden = refusal(await client.call_tool("notion-fetch", {"id": home["id"]}))
            assert hidden["code"] in ("object_not_found", "restricted_resource")
            first = storage.tokens.access_token

            # An hour later, as far as the provider knows: the next call refreshes first (Basic
            # auth, client_id and resource in the body), and the new token works.
            provider.context.token_expiry_time = time.time() - 1
            assert answer(await client.call_tool("notion-get-self", {}))["id"] == me["id"]
            assert storage.tokens.access_token != first
            return storage.tokens.access_token

    token = anyio.run(run)

    # What the SDK registered and asked for.
    info = storage.client_info
    assert info.client_secret and info.token_endpoint_auth_method == "client_secret_basic"
    assert [str(uri) for uri in info.redirect_uris] == [callback.uri]
    assert isinstance(info.client_id_issued_at, int)
    # The registration is a public integration of the sandbox, marked with where it came from.
    listed = sandbox.cli("integration", "list", "--workspace", sandbox.workspace_id)
    entry = next(item for item in listed if item.get("client_id") == info.client_id)
    assert entry["name"] == "Compat App" and entry["registered_from"] == "127.0.0.1"
    authorize = urllib.parse.parse_qs(urllib.parse.urlparse(steps["authorize"]).query)
    assert steps["authorize"].startswith(f"{sandbox.base_url}/v1/oauth/authorize?")
    assert authorize["client_id"] == [info.client_id]
    assert authorize["resource"] == [mcp_url(sandbox)]
    assert authorize["code_challenge_method"] == ["S256"]
    assert authorize["scope"] == [" ".join(prm["scopes_supported"])]
    returned = urllib.parse.parse_qs(urllib.parse.urlparse(steps["returned"]).query)
    assert returned["iss"] == [sandbox.base_url]
    assert storage.tokens.token_type == "Bearer" and storage.tokens.expires_in == 3600
    assert token.startswith("nap_") and storage.tokens.refresh_token.startswith("nrt_")

    # Revoked with the admin CLI, the token is refused by the next call, within a second.
    async def revoke():
        async with connected(sandbox, token=token) as client:
            assert answer(await client.call_tool("notion-get-self", {}))["type"] == "bot"
            sandbox.cli_with_input("token", "revoke", "--token-stdin", input=token)
            await refused_within(client, 1.0)

    anyio.run(revoke)
    refused = raw_initialize(sandbox, token)
    assert refused.status_code == 401
    metadata, challenge = resource_metadata_of(refused)
    assert metadata == f"{sandbox.base_url}/.well-known/oauth-protected-resource/mcp"
    assert 'error="invalid_token"' in challenge


def test_a_revoked_integration_key_is_refused_by_the_next_call(sandbox):
    page = unshared_page(sandbox, "MCP revoked")
    integration = sandbox.cli(
        "integration", "create", "--workspace", sandbox.workspace_id, "--name", f"MCP key {time.monotonic_ns()}"
    )
    sandbox.cli("share", "--integration", integration["id"], "--page", page["id"])

    async def run():
        async with connected(sandbox, token=integration["token"]) as client:
            found = answer(await client.call_tool("notion-search", {}))
            assert [result["id"] for result in found["results"]] == [page["id"]]
            sandbox.cli("token", "revoke", "--integration", integration["id"])
            return await refused_within(client, 1.0)

    anyio.run(run)
    assert raw_initialize(sandbox, integration["token"]).status_code == 401


def test_without_a_valid_token_mcp_answers_401_naming_its_metadata_and_get_is_405(sandbox):
    base = sandbox.base_url
    expected_metadata = f"{base}/.well-known/oauth-protected-resource/mcp"

    missing = raw_initialize(sandbox)
    assert missing.status_code == 401
    metadata, challenge = resource_metadata_of(missing)
    assert metadata == expected_metadata
    assert "error=" not in challenge  # RFC 6750 §3.1: no error code when no credentials were sent

    wrong = raw_initialize(sandbox, "secret_" + "x" * 43)
    assert wrong.status_code == 401
    metadata, challenge = resource_metadata_of(wrong)
    assert metadata == expected_metadata and 'error="invalid_token"' in challenge

    # Stateless: no session id, a JSON answer, and any request works without a handshake.
    opened = raw_initialize(sandbox, sandbox.key)
    assert opened.status_code == 200
    assert opened.headers["Content-Type"].startswith("application/json")
    assert "Mcp-Session-Id" not in opened.headers
    version = opened.json()["result"]["protocolVersion"]
    assert version in STRUCTURED_VERSIONS
    listed = requests.post(
        mcp_url(sandbox),
        headers={**JSON_RPC_HEADERS, "Authorization": f"Bearer {sandbox.key}", "MCP-Protocol-Version": version},
        json={"jsonrpc": "2.0", "id": "list-1", "method": "tools/list"},
    )
    assert listed.status_code == 200 and listed.json()["id"] == "list-1"
    assert TOOLS <= {tool["name"] for tool in listed.json()["result"]["tools"]}

    key = {"Authorization": f"Bearer {sandbox.key}"}
    stream = requests.get(mcp_url(sandbox), headers={**key, "Accept": "text/event-stream"})
    assert stream.status_code == 405
    assert "POST" in stream.headers.get("Allow", "")
    assert requests.delete(mcp_url(sandbox), headers=key).status_code == 405

    # The metadata the SDK reads (the path form first, the root as its fallback), checked with
    # the SDK's own models and rules.
    at_path = requests.get(expected_metadata)
    at_root = requests.get(f"{base}/.well-known/oauth-protected-resource")
    assert at_path.status_code == at_root.status_code == 200
    body = at_path.json()
    # The root document describes the whole deployment (RFC 9728 §3.3), the rest alike.
    root = at_root.json()
    assert root["resource"] == base
    assert {**root, "resource": body["resource"]} == body
    assert check_resource_allowed(requested_resource=mcp_url(sandbox), configured_resource=root["resource"])
    assert body["resource"] == f"{base}/mcp"
    assert body["authorization_servers"] == [base]
    assert body["bearer_methods_supported"] == ["header"]
    assert body["resource_name"] == "Gatehouse"
    assert body["scopes_supported"]
    prm = ProtectedResourceMetadata.model_validate(body)
    # The SDK refuses a resource that is not the endpoint's URL or a path prefix of it.
    assert check_resource_allowed(requested_resource=mcp_url(sandbox), configured_resource=str(prm.resource))

    server = requests.get(f"{base}/.well-known/oauth-authorization-server").json()
    asm = OAuthMetadata.model_validate(server)
    # The SDK compares these as plain strings, after pydantic's URL normalisation.
    assert str(asm.issuer) == str(prm.authorization_servers[0]) == base
    assert str(asm.registration_endpoint) == f"{base}/v1/oauth/register"
    # The SDK asks for exactly the PRM's scopes_supported, so the authorize endpoint must accept
    # them all from a registered client; and it would add offline_access (with prompt=consent)
    # to every request were the server to list it.
    assert set(body["scopes_supported"]) <= set(server["scopes_supported"])
    assert "offline_access" not in server["scopes_supported"]


def test_registration_and_a_resource_on_another_origin(sandbox):
    base = sandbox.base_url
    redirect_uri = "http://127.0.0.1:9/callback"  # never reached: redirects are not followed here
    registered = requests.post(
        f"{base}/v1/oauth/register",
        json={"client_name": "Compat App", "redirect_uris": [redirect_uri], "grant_types": ["authorization_code", "refresh_token"]},
    )
    assert registered.status_code == 201
    assert registered.headers["Cache-Control"] == "no-store"
    client = registered.json()
    assert client["token_endpoint_auth_method"] == "client_secret_basic"  # RFC 7591's default, stated
    assert client["client_secret"] and client["redirect_uris"] == [redirect_uri]
    info = OAuthClientInformationFull.model_validate(client)
    check_registration_usable(info)  # what the SDK checks before it starts the browser step

    public = requests.post(
        f"{base}/v1/oauth/register",
        json={"client_name": "Compat App", "redirect_uris": [redirect_uri], "token_endpoint_auth_method": "none"},
    ).json()
    assert public["token_endpoint_auth_method"] == "none" and "client_secret" not in public
    check_registration_usable(OAuthClientInformationFull.model_validate(public))

    # Another host, and this host on another port: both other origins.
    for elsewhere in ["https://mcp.example.com/mcp", "http://127.0.0.1:1/mcp"]:
        query = {
            "response_type": "code",
            "client_id": client["client_id"],
            "redirect_uri": redirect_uri,
            "state": "t1",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
            "resource": elsewhere,
        }
        sent = requests.get(f"{base}/v1/oauth/authorize", params=query, allow_redirects=False)
        assert sent.status_code in (302, 303), elsewhere
        location = sent.headers["Location"]
        assert location.startswith(redirect_uri + "?")
        back = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
        assert back["error"] == ["invalid_target"] and back["state"] == ["t1"] and back["iss"] == [base]

        token = requests.post(
            f"{base}/v1/oauth/token",
            auth=(client["client_id"], client["client_secret"]),
            data={
                "grant_type": "authorization_code",
                "code": "nac_" + "x" * 40,
                "redirect_uri": redirect_uri,
                "code_verifier": "v" * 43,
                "resource": elsewhere,
            },
        )
        assert token.status_code == 400 and token.json()["error"] == "invalid_target", token.text

    # The same request naming this server's MCP endpoint goes on to sign-in.
    query["resource"] = mcp_url(sandbox)
    fine = requests.get(f"{base}/v1/oauth/authorize", params=query, allow_redirects=False)
    assert fine.status_code == 200
