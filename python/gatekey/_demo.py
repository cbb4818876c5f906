"""``gatekey demo``: a stateless MCP server (MCP Python SDK, streamable HTTP)
on 127.0.0.1 behind ``AuthMiddleware``, sent real JSON-RPC requests."""

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


def run() -> int:
    import logging

    import httpx

    for name in ("httpx", "httpx2", "mcp", "uvicorn"):
        logging.getLogger(name).setLevel(logging.WARNING)

    verifiers = {
        "header_first": Verifier(KeySet.hs256(SECRET), policy=Policy.header_first(), audience="mcp"),
        "cookie_first": Verifier(KeySet.hs256(SECRET), policy=Policy.cookie_first(), audience="mcp"),
        "strict": Verifier(KeySet.hs256(SECRET), policy=Policy.strict(), audience="mcp"),
    }
    alice, bob = mint("alice", 600), mint("bob", 600)
    short = mint("carol", 2)
    tampered = alice[:-4] + ("AAAA" if not alice.endswith("AAAA") else "BBBB")
    rows: list[tuple[str, str, str, int, str, float]] = []
    with Server(build_app(verifiers)) as srv, httpx.Client(base_url=f"http://127.0.0.1:{srv.port}", timeout=10) as client:

        def call(label: str, preset: str, method: str, headers: dict[str, str]) -> None:
            t0 = time.perf_counter()
            r = client.post(f"/{preset}/mcp", json=rpc(method, len(rows) + 1), headers={**MCP_HEADERS, **headers})
            ms = (time.perf_counter() - t0) * 1000
            if r.status_code == 200:
                outcome = r.headers.get("x-identity", "ok")
            else:
                outcome = json.loads(r.text).get("error", "?") + " | " + r.headers.get("www-authenticate", "")[:48]
            rows.append((label, preset, method, r.status_code, outcome, ms))

        bearer = {"authorization": f"Bearer {alice}"}
        for method in ("initialize", "tools/list", "tools/call"):
            call("valid token", "header_first", method, bearer)
        drift = {"authorization": f"Bearer {alice}", "cookie": f"jwt_token={bob}"}
        for preset in verifiers:
            call("header A + cookie B", preset, "tools/call", drift)
        call("short-lived token", "header_first", "initialize", {"authorization": f"Bearer {short}"})
        time.sleep(3)
        call("same token, 3 s later", "header_first", "tools/call", {"authorization": f"Bearer {short}"})
        call("tampered token", "header_first", "tools/call", {"authorization": f"Bearer {tampered}"})
        call("no token", "header_first", "tools/list", {})

    v = verifiers["header_first"]
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        v.authenticate([(b"authorization", b"Bearer " + alice.encode())])
    per_call = (time.perf_counter() - t0) / n * 1e6

    print(f"{'case':<24} {'policy':<13} {'method':<11} {'HTTP':>4}  {'ms':>6}  outcome")
    print("-" * 100)
    for label, preset, method, status, outcome, ms in rows:
        print(f"{label:<24} {preset:<13} {method:<11} {status:>4}  {ms:>6.1f}  {outcome}")
    print("-" * 100)
    print(f"gatekey authenticate() in process: {per_call:.1f} µs per request (HS256, extract + resolve + verify + claims)")
    expected = [200, 200, 200, 200, 200, 400, 200, 401, 401, 401]
    got = [r[3] for r in rows]
    if got != expected:
        print(f"unexpected statuses: {got} (expected {expected})")
        return 1
    print("every request was authenticated on its own; identity followed the named policy")
    return 0
