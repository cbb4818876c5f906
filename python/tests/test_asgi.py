"""AuthMiddleware in front of a stateless MCP server (the MCP Python SDK):
each of initialize, tools/list and tools/call is authenticated on its own,
with Starlette's test client and with a real uvicorn server."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

import gatekey
import gatekey.asgi
from gatekey._demo import MCP_HEADERS, SECRET, Server, build_app, mint, rpc
from gatekey.cli import main as cli_main

META = "http://127.0.0.1/.well-known/oauth-protected-resource"


def verifiers() -> dict[str, gatekey.Verifier]:
    keys = gatekey.KeySet.hs256(SECRET)
    return {
        "header_first": gatekey.Verifier(keys, policy=gatekey.Policy.header_first(), audience="mcp"),
        "cookie_first": gatekey.Verifier(keys, policy=gatekey.Policy.cookie_first(), audience="mcp"),
        "strict": gatekey.Verifier(keys, policy=gatekey.Policy.strict(), audience="mcp"),
    }


def post(client: Any, preset: str, method: str, headers: dict[str, str]) -> Any:
    return client.post(f"/{preset}/mcp", json=rpc(method, 1), headers={**MCP_HEADERS, **headers})


def test_every_mcp_request_is_authenticated_testclient() -> None:
    alice = mint("alice", 600)
    with TestClient(build_app(verifiers()), base_url="http://127.0.0.1:8000") as client:
        for method in ("initialize", "tools/list", "tools/call"):
            ok = post(client, "header_first", method, {"authorization": f"Bearer {alice}"})
            assert ok.status_code == 200, ok.text
            assert ok.headers["x-identity"] == "alice via bearer"
            refused = post(client, "header_first", method, {})
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == f'Bearer resource_metadata="{META}"'
            assert refused.json() == {
                "error": "unauthorized",
                "error_description": "the request carries no credential",
                "reason": "missing_credential",
            }
        assert post(client, "header_first", "tools/call", {}).status_code == 401
        call = post(client, "header_first", "tools/call", {"authorization": f"Bearer {alice}"})
        assert call.json()["result"]["structuredContent"] == {"result": 5}


def test_drift_follows_the_policy() -> None:
    alice, bob = mint("alice", 600), mint("bob", 600)
    drift = {"authorization": f"Bearer {alice}", "cookie": f"jwt_token={bob}"}
    with TestClient(build_app(verifiers()), base_url="http://127.0.0.1:8000") as client:
        assert post(client, "header_first", "tools/list", drift).headers["x-identity"].startswith("alice via bearer")
        assert post(client, "cookie_first", "tools/list", drift).headers["x-identity"].startswith("bob via cookie")
        strict = post(client, "strict", "tools/list", drift)
        assert strict.status_code == 400
        assert 'error="invalid_request"' in strict.headers["www-authenticate"]


def test_token_expiring_between_calls_on_real_server() -> None:
    tampered = mint("mallory", 600, secret=b"another-secret-that-is-long-enough!!")
    with Server(build_app(verifiers())) as srv, httpx.Client(base_url=f"http://127.0.0.1:{srv.port}", timeout=10) as client:
        # Minted once the server is up (its start can take a second on a
        # busy machine), and valid for at least one whole second.
        short = mint("carol", 2)
        for method in ("initialize", "tools/list"):
            assert post(client, "header_first", method, {"authorization": f"Bearer {short}"}).status_code == 200
        time.sleep(3.1)
        late = post(client, "header_first", "tools/call", {"authorization": f"Bearer {short}"})
        assert late.status_code == 401
        assert late.headers["www-authenticate"] == (
            f'Bearer error="invalid_token", error_description="the token has expired", resource_metadata="{META}"'
        )
        bad = post(client, "header_first", "tools/call", {"authorization": f"Bearer {tampered}"})
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_token"


def test_lifespan_and_exempt_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])
        if scope["type"] == "lifespan":
            for done in ("lifespan.startup.complete", "lifespan.shutdown.complete"):
                await receive()
                await send({"type": done})
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

    mw = gatekey.asgi.AuthMiddleware(app, verifiers()["strict"], exempt=["/health"])
    with TestClient(mw) as client:
        assert client.get("/health").status_code == 204
        assert client.get("/other").status_code == 401
    assert seen == ["lifespan", "http"]


def test_cli_explain_and_token(capsys: pytest.CaptureFixture[str]) -> None:
    secret = SECRET.decode()
    assert cli_main(["token", "--secret", secret, "--sub", "erin", "--aud", "mcp"]) == 0
    tok = capsys.readouterr().out.strip()
    code = cli_main(["explain", "-H", f"Authorization: Bearer {tok}", "-b", "jwt_token=abc.def.ghi", "--secret", secret, "--audience", "mcp"])
    out = capsys.readouterr().out
    assert code == 0
    assert "winner: bearer" in out and "shadowed: cookie" in out and "DRIFT" in out and "'erin'" in out
    assert cli_main(["explain", "-H", f"Authorization: Bearer {tok}", "-b", "jwt_token=x", "--policy", "strict"]) == 1
    assert "multiple_methods" in capsys.readouterr().out


def test_demo_drives_the_server_with_the_mcp_client(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "notifications/initialized" in out and "bob via cookie (shadowed bearer, drift)" in out
    assert "invalid_token: the token has expired" in out
