"""The ``gatekey`` logger: one record per refusal and per drift, with
structured fields, from the middleware, the FastAPI dependency and the MCP
SDK adapter; never a token."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from fastapi import FastAPI, Security
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import gatekey
from gatekey.asgi import AuthMiddleware
from gatekey.cli import mint_hs256
from gatekey.fastapi import Authenticated
from gatekey.mcp import TokenVerifier

SECRET = b"log-test-secret-0123456789abcdef"


def token(sub: str, **claims: Any) -> str:
    now = int(time.time())
    return mint_hs256({"sub": sub, "iat": now, "exp": now + 600, **claims}, SECRET)


def verifier() -> gatekey.Verifier:
    return gatekey.Verifier(gatekey.KeySet.hs256(SECRET), policy=gatekey.Policy.header_first())


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "gatekey"]


def no_token_in(caplog: pytest.LogCaptureFixture, *tokens: str) -> None:
    for record in records(caplog):
        text = repr(record.__dict__) + record.getMessage()
        for t in tokens:
            for part in t.split("."):
                assert part not in text


def middleware_app() -> Any:
    async def hello(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("hi")

    return AuthMiddleware(Starlette(routes=[Route("/", hello)]), verifier())


def test_a_refusal_is_one_info_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gatekey")
    expired = token("alice", exp=1)
    with TestClient(middleware_app()) as client:
        assert client.get("/", headers={"authorization": f"Bearer {expired}"}).status_code == 401
    [record] = records(caplog)
    assert record.levelno == logging.INFO
    assert (record.outcome, record.reason, record.status, record.where) == ("refused", "expired", 401, "asgi.AuthMiddleware")
    assert record.claim == "exp"
    no_token_in(caplog, expired)


def test_drift_is_one_warning_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gatekey")
    alice, bob = token("alice"), token("bob")
    with TestClient(middleware_app()) as client:
        headers = {"authorization": f"Bearer {alice}", "cookie": f"jwt_token={bob}"}
        assert client.get("/", headers=headers).status_code == 200
        assert client.get("/", headers={"authorization": f"Bearer {alice}"}).status_code == 200
    [record] = records(caplog)
    assert record.levelno == logging.WARNING
    assert (record.outcome, record.reason, record.source, record.shadowed) == ("accepted", "drift", "bearer", ["cookie"])
    assert "alice" not in record.getMessage() and "bob" not in record.getMessage()
    no_token_in(caplog, alice, bob)


def test_nothing_is_recorded_below_the_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="gatekey")
    with TestClient(middleware_app()) as client:
        assert client.get("/").status_code == 401
    assert records(caplog) == []


def test_fastapi_and_mcp_adapter_record_their_refusals(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gatekey")
    v = verifier()
    app = FastAPI()
    auth = Authenticated(v)

    @app.get("/items")
    def items(identity: gatekey.Identity = Security(auth, scopes=["items:read"])) -> str:
        return identity.subject or ""

    with TestClient(app) as client:
        assert client.get("/items", headers={"authorization": f"Bearer {token('c')}"}).status_code == 403
    assert asyncio.run(TokenVerifier(v).verify_token("not-a-jwt")) is None
    got = [(r.where, r.reason) for r in records(caplog)]
    assert got == [("fastapi", "insufficient_scope"), ("mcp.TokenVerifier", "malformed_token")]
    assert records(caplog)[0].scope == "items:read"
