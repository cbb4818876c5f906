"""The MCP 2026-07-28 resource-server rules (tests/mcp.json) through a real
stateless MCP server (the MCP Python SDK on uvicorn) behind AuthMiddleware:
per-tool scopes, the Mcp-Method / Mcp-Name check against the body, the
canonical audience, the ID-token refusal and the protected resource
metadata. Rows the SDK client can make are made by it (speaking
2026-07-28); rows whose headers lie are sent by hand."""

from __future__ import annotations

import json
import pathlib
import time
from typing import Any

import anyio
import httpx
import pytest

import gatekey
from gatekey._demo import Server
from gatekey.asgi import AuthMiddleware
from gatekey.cli import mint_hs256

MATRIX = json.loads((pathlib.Path(__file__).parents[2] / "tests" / "mcp.json").read_text())
VERSION = "2026-07-28"
AUTHORIZATION_SERVER = "https://auth.example.com"


class Ran:
    """Which tools and resources the server actually ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.reached = 0  # requests that got past the middleware

    def clear(self) -> None:
        self.calls.clear()
        self.reached = 0


def build(ran: Ran) -> tuple[Any, gatekey.Verifier]:
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("gatekey-mcp-rules")

    @server.tool()
    def weather_now(city: str = "Oslo") -> str:
        ran.calls.append("weather_now")
        return f"sunny in {city}"

    @server.tool()
    def delete_all() -> str:
        ran.calls.append("delete_all")
        return "deleted"

    @server.resource("file:///private/plan.md")
    def plan() -> str:
        ran.calls.append("file:///private/plan.md")
        return "the plan"

    verifier = gatekey.Verifier(gatekey.KeySet.hs256(MATRIX["secret"].encode()), **MATRIX["options"])
    mcp_app = server.streamable_http_app(stateless_http=True, json_response=True)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            ran.reached += 1
        await mcp_app(scope, receive, send)

    return AuthMiddleware(app, verifier, authorization_servers=[AUTHORIZATION_SERVER]), verifier


def token(row: dict[str, Any]) -> str:
    now = int(time.time())
    return mint_hs256({"sub": "alice", "exp": now + 600, **row["claims"]}, MATRIX["secret"].encode())


def meta() -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
    }


def body_of(row: dict[str, Any]) -> dict[str, Any]:
    method, name = row["body"]["method"], row["body"].get("name")
    params: dict[str, Any] = {"_meta": meta()}
    if method == "resources/read":
        params["uri"] = name
    elif name is not None:
        params["name"], params["arguments"] = name, {}
    return {"jsonrpc": "2.0", "id": 7, "method": method, "params": params}


def by_hand(client: httpx.Client, row: dict[str, Any]) -> httpx.Response:
    headers = [
        ("authorization", f"Bearer {token(row)}"),
        ("accept", "application/json, text/event-stream"),
        ("content-type", "application/json"),
        ("mcp-protocol-version", VERSION),
    ]
    for name, value in row["headers"].items():
        for one in value if isinstance(value, list) else [value]:
            headers.append((name, one))
    return client.post("/mcp", content=json.dumps(body_of(row)), headers=headers)


def by_sdk(url: str, row: dict[str, Any]) -> httpx.Response:
    """The SDK client makes the row's call; the first answer to it."""
    from mcp.client.client import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    method, name = row["body"]["method"], row["body"].get("name")
    answers: list[Any] = []

    async def seen(response: Any) -> None:
        await response.aread()
        if json.loads(response.request.content or b"{}").get("method") == method:
            answers.append(response)

    async def drive() -> None:
        client = create_mcp_http_client(headers={"authorization": f"Bearer {token(row)}"})
        client.event_hooks["response"].append(seen)
        async with client:
            try:
                async with Client(streamable_http_client(url, http_client=client), mode=VERSION) as mcp:
                    if method == "tools/list":
                        await mcp.list_tools()
                    elif method == "tools/call":
                        await mcp.call_tool(name, {})
                    else:
                        await mcp.read_resource(name)
            except Exception:  # noqa: BLE001 - a refusal; the answer is recorded
                pass

    anyio.run(drive)
    assert answers, f"{row['name']}: the SDK sent no {method}"
    return answers[0]


def challenge_scope(response: Any) -> Any:
    challenge = response.headers.get("www-authenticate", "")
    if 'scope="' not in challenge:
        return None
    return challenge.split('scope="', 1)[1].split('"', 1)[0]


@pytest.fixture(scope="module")
def served() -> Any:
    ran = Ran()
    app, verifier = build(ran)
    with Server(app) as srv:
        yield f"http://127.0.0.1:{srv.port}", ran, verifier


@pytest.mark.parametrize("row", MATRIX["rows"], ids=[r["name"] for r in MATRIX["rows"]])
def test_every_row_through_a_real_mcp_server(served: Any, row: dict[str, Any]) -> None:
    base, ran, _ = served
    lies = row.get("body_only") or any(isinstance(v, list) for v in row["headers"].values())
    ran.clear()
    if lies:
        with httpx.Client(base_url=base, timeout=10) as client:
            response = by_hand(client, row)
    else:
        response = by_sdk(f"{base}/mcp", row)
    assert response.status_code == row["expect"], (row["name"], response.text)
    body = json.loads(response.content or b"{}")
    reason = row.get("reason")
    if reason == "header_mismatch":
        # Refused by the middleware, before the server (whose SDK checks
        # the same) ever saw it.
        assert body["error"]["code"] == -32020, body
        assert body["error"]["message"].startswith("the Mcp-Method or Mcp-Name header does not match"), body
        assert "www-authenticate" not in response.headers
        assert ran.reached == 0
    elif reason is not None:
        assert body["reason"] == reason, body
    assert challenge_scope(response) == row.get("scope"), response.headers.get("www-authenticate")
    if "tool_runs" in row:
        assert bool(ran.calls) == row["tool_runs"], (row["name"], ran.calls)


def test_the_refusals_point_at_the_metadata_it_serves(served: Any) -> None:
    base, _, verifier = served
    resource = MATRIX["options"]["resource"]
    with httpx.Client(base_url=base, timeout=10) as client:
        refused = client.post("/mcp", json=body_of(MATRIX["rows"][0]), headers={"mcp-method": "tools/call"})
        assert refused.status_code == 401
        expected_url = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        assert f'resource_metadata="{expected_url}"' in refused.headers["www-authenticate"]
        document = client.get("/.well-known/oauth-protected-resource/mcp")
        assert document.status_code == 200
        assert document.json() == {
            "resource": resource,
            "authorization_servers": [AUTHORIZATION_SERVER],
            "scopes_supported": verifier.scopes_supported,
            "bearer_methods_supported": ["header"],
        }
        assert verifier.scopes_supported == ["mcp", "weather:read", "admin", "private"]
        assert client.post("/.well-known/oauth-protected-resource/mcp").status_code == 405


def test_a_body_is_bounded_and_handed_on_unchanged(served: Any) -> None:
    base, ran, _ = served
    row = MATRIX["rows"][0]
    with httpx.Client(base_url=base, timeout=10) as client:
        headers = {
            "authorization": f"Bearer {token(row)}",
            "accept": "application/json, text/event-stream",
            "content-type": "application/json",
            "mcp-protocol-version": VERSION,
            "mcp-method": "tools/call",
            "mcp-name": "weather_now",
        }
        call = body_of(row)
        call["params"]["arguments"] = {"city": "Bergen"}
        ran.clear()
        ok = client.post("/mcp", content=json.dumps(call), headers=headers)
        assert ok.status_code == 200, ok.text
        assert "sunny in Bergen" in ok.text
        assert ran.calls == ["weather_now"]
        big = client.post("/mcp", content=b" " * ((1 << 20) + 1), headers=headers)
        assert big.status_code == 413
        # A member name twice: which "name" counts is not certain.
        twice = json.dumps(call)[:-1] + ',"method":"tools/list"}'
        ran.clear()
        dup = client.post("/mcp", content=twice, headers=headers)
        assert dup.status_code == 400 and dup.json()["error"]["code"] == -32020
        assert ran.reached == 0


def test_bad_middleware_options() -> None:
    verifier = gatekey.Verifier(gatekey.KeySet.hs256(MATRIX["secret"].encode()))
    with pytest.raises(ValueError, match="resource option"):
        AuthMiddleware(lambda *a: None, verifier, authorization_servers=[AUTHORIZATION_SERVER])  # type: ignore[arg-type,return-value]
    with_resource = gatekey.Verifier(gatekey.KeySet.hs256(MATRIX["secret"].encode()), resource="https://a.example/mcp")
    with pytest.raises(ValueError, match="authorization_servers"):
        AuthMiddleware(lambda *a: None, with_resource, authorization_servers="https://auth.example.com")  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="max_body"):
        AuthMiddleware(lambda *a: None, verifier, max_body=0)  # type: ignore[arg-type,return-value]
    with pytest.raises(gatekey.ConfigurationError, match="scope_rules"):
        gatekey.Verifier(gatekey.KeySet.hs256(MATRIX["secret"].encode()), scope_rules=["tools/list x : y"])


def test_an_older_client_is_decided_by_its_body(served: Any) -> None:
    """MCP before 2026-07-28 sends no Mcp-Method: the per-tool rules then
    read the body's call, so a tool cannot be reached by leaving the
    headers out."""
    base, ran, _ = served
    scoped = {"claims": {"aud": MATRIX["options"]["resource"], "scope": "mcp"}}
    headers = {
        "authorization": f"Bearer {token(scoped)}",
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": "2025-06-18",
    }
    call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "delete_all", "arguments": {}}}
    with httpx.Client(base_url=base, timeout=10) as client:
        ran.clear()
        refused = client.post("/mcp", json=call, headers=headers)
        assert refused.status_code == 403, refused.text
        assert challenge_scope(refused) == "mcp admin"
        assert ran.reached == 0
        listing = {"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {}}
        assert client.post("/mcp", json=listing, headers=headers).status_code == 200
        # A 2026-07-28 request must name its call.
        modern = dict(headers, **{"mcp-protocol-version": VERSION})
        missing = client.post("/mcp", json=body_of({"body": {"method": "tools/list"}}), headers=modern)
        assert missing.status_code == 400 and missing.json()["error"]["code"] == -32020
