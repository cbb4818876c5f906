"""``gatekey demo``: a stateless MCP server (MCP Python SDK, streamable HTTP)
on 127.0.0.1 behind ``AuthMiddleware``, driven by the MCP SDK client."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

from gatekey import KeySet, Policy, Verifier
from gatekey.asgi import AuthMiddleware

SECRET = b"gatekey-demo-secret-0123456789abcdef"
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json", "mcp-protocol-version": "2025-06-18"}


def mint(sub: str, ttl: int, secret: bytes = SECRET) -> str:
    from gatekey.cli import mint_hs256

    now = int(time.time())
    return mint_hs256({"sub": sub, "aud": "mcp", "iat": now, "exp": now + ttl, "scope": "tools:call"}, secret)


def build_app(presets: dict[str, Verifier]) -> Any:
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("gatekey-demo")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    mcp_app = server.streamable_http_app(stateless_http=True, json_response=True)
    guarded = {name: AuthMiddleware(mcp_app, v, resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource") for name, v in presets.items()}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await mcp_app(scope, receive, send)
            return
        preset, _, rest = scope["path"].lstrip("/").partition("/")
        scope = dict(scope, path="/" + rest, raw_path=("/" + rest).encode())

        async def tag(message: Any) -> None:  # show who the request was
            if message["type"] == "http.response.start" and "identity" in scope.get("state", {}):
                identity = scope["state"]["identity"]
                message = dict(message, headers=[*message["headers"], (b"x-identity", (f"{identity.subject} via {identity.source}" + (f" (shadowed {identity.shadowed[0]}, drift)" if identity.drift else "")).encode())])
            await send(message)

        await guarded[preset](scope, receive, tag)

    return app


class Server:
    """uvicorn in a thread on a free loopback port."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def rpc(method: str, rid: int) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if method == "initialize":
        params = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "gatekey-demo", "version": "1"}}
    elif method == "tools/call":
        params = {"name": "add", "arguments": {"a": 2, "b": 3}}
    return {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}


class _Traffic:
    """httpx event hooks that record every HTTP exchange of the MCP client:
    the JSON-RPC method, the status, who gatekey said the caller was."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, int, str, float]] = []
        self.case = ("", "")
        self._started: dict[int, float] = {}

    async def request(self, request: Any) -> None:
        self._started[id(request)] = time.perf_counter()

    async def response(self, response: Any) -> None:
        ms = (time.perf_counter() - self._started.pop(id(response.request), time.perf_counter())) * 1000
        try:
            method = json.loads(response.request.content or b"{}").get("method", response.request.method)
        except ValueError:
            method = response.request.method
        if response.status_code < 400:
            outcome = response.headers.get("x-identity", "ok")
        else:
            body = json.loads(await response.aread() or b"{}")
            detail = body.get("error_description") or response.headers.get("www-authenticate", "")
            outcome = f"{body.get('error', '?')}: {detail}"
        self.rows.append((*self.case, str(method), response.status_code, outcome, ms))


async def _session(url: str, headers: dict[str, str], traffic: _Traffic, steps: list[str], pause: float = 0.0) -> None:
    """One MCP client connection (the SDK's ClientSession over streamable
    HTTP) whose every request carries ``headers``; a refused request ends
    it, as it would end a real client's session."""
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    client = create_mcp_http_client(headers=headers)
    client.event_hooks["request"].append(traffic.request)
    client.event_hooks["response"].append(traffic.response)
    try:
        async with client, streamable_http_client(url, http_client=client) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            for step in steps:
                if step == "pause":
                    await anyio.sleep(pause)
                elif step == "tools/list":
                    await session.list_tools()
                else:
                    result = await session.call_tool("add", {"a": 2, "b": 3})
                    assert result.structured_content == {"result": 5}, result
    except Exception:  # noqa: BLE001 - the refusal is in the traffic rows
        pass


def run() -> int:
    import logging

    import anyio

    for name in ("httpx", "httpx2", "mcp", "uvicorn"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    # One cache per verifier: a token seen again costs a lookup, and its
    # exp is still checked on every request (the short-lived case below).
    verifiers = {
        "header_first": Verifier(KeySet.hs256(SECRET), policy=Policy.header_first(), audience="mcp", cache_size=256),
        "cookie_first": Verifier(KeySet.hs256(SECRET), policy=Policy.cookie_first(), audience="mcp", cache_size=256),
        "strict": Verifier(KeySet.hs256(SECRET), policy=Policy.strict(), audience="mcp", cache_size=256),
    }
    alice, bob = mint("alice", 600), mint("bob", 600)
    tampered = alice[:-4] + ("AAAA" if not alice.endswith("AAAA") else "BBBB")
    traffic = _Traffic()
    with Server(build_app(verifiers)) as srv:

        async def drive() -> None:
            def url(preset: str) -> str:
                return f"http://127.0.0.1:{srv.port}/{preset}/mcp"

            traffic.case = ("valid token", "header_first")
            await _session(url("header_first"), {"authorization": f"Bearer {alice}"}, traffic, ["tools/list", "tools/call"])
            drift = {"authorization": f"Bearer {alice}", "cookie": f"jwt_token={bob}"}
            for preset in verifiers:
                traffic.case = ("header A + cookie B", preset)
                await _session(url(preset), drift, traffic, ["tools/call"])
            traffic.case = ("2 s token, 3 s session", "header_first")
            short = mint("carol", 2)
            await _session(url("header_first"), {"authorization": f"Bearer {short}"}, traffic, ["tools/list", "pause", "tools/call"], pause=3)
            traffic.case = ("tampered token", "header_first")
            await _session(url("header_first"), {"authorization": f"Bearer {tampered}"}, traffic, ["tools/call"])
            traffic.case = ("no token", "header_first")
            await _session(url("header_first"), {}, traffic, ["tools/list"])

        anyio.run(drive)

    headers = [(b"authorization", b"Bearer " + alice.encode())]
    plain = Verifier(KeySet.hs256(SECRET), audience="mcp")
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        plain.authenticate(headers)
    per_call = (time.perf_counter() - t0) / n * 1e6

    print("An MCP SDK client (ClientSession, streamable HTTP) against a stateless MCP server behind gatekey's AuthMiddleware:\n")
    print(f"{'case':<24} {'policy':<13} {'JSON-RPC method':<27} {'HTTP':>4}  {'ms':>5}  outcome")
    print("-" * 110)
    for label, preset, method, status, outcome, ms in traffic.rows:
        print(f"{label:<24} {preset:<13} {method:<27} {status:>4}  {ms:>5.1f}  {outcome}")
    print("-" * 110)
    info = verifiers["header_first"].cache_info()
    print(f"gatekey authenticate() in process: {per_call:.1f} µs per request (HS256, extract + resolve + verify + claims)")
    print(f"the header_first verifier's token cache: {info.hits} hits, {info.misses} misses (exp checked on every hit)")
    expected = [200, 202, 200, 200]  # initialize, notifications/initialized, tools/list, tools/call
    # drift (header_first, cookie_first, strict); the SDK lists the tools
    # after a call, to check the result against the tool's output schema
    expected += [200, 202, 200, 200, 200, 202, 200, 200, 400]
    expected += [200, 202, 200, 401]  # the short-lived token: refused once expired, in the same session
    expected += [401, 401]  # tampered, none
    got = [r[3] for r in traffic.rows]
    if got != expected:
        print(f"unexpected statuses: {got} (expected {expected})")
        return 1
    print("every request was authenticated on its own; identity followed the named policy")
    return 0
