"""JWKSClient against a local http.server; the MCP TokenVerifier."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
from conftest import EC_KEY, claims, es256, es256_jwks

import gatekey
from gatekey.jwks import JWKSClient
from gatekey.mcp import TokenVerifier


class IdP:
    def __init__(self) -> None:
        self.body = json.dumps(es256_jwks()).encode()
        self.up = True
        self.hits = 0
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                idp.hits += 1
                if not idp.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(idp.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_jwks_cache_refresh_and_outage() -> None:
    idp = IdP()
    now = [0.0]
    client = JWKSClient(idp.url, ttl=300, min_refresh_interval=30, clock=lambda: now[0])
    verifier = client.verifier()
    assert len(client.keys()) == 1 and idp.hits == 1
    # a rotated-in key: unknown kid triggers one refetch, rate-limited
    rotated = es256_jwks()
    rotated["keys"][0]["kid"] = "ec2"
    idp.body = json.dumps({"keys": es256_jwks()["keys"] + rotated["keys"]}).encode()
    token = jwt.encode(claims(exp=2_000_000_000, aud="x"), EC_KEY, algorithm="ES256", headers={"kid": "ec2"})
    assert client.sync(verifier, unknown_kid=True) is False  # within 30 s of the last fetch
    now[0] = 31
    assert client.sync(verifier, unknown_kid=True) is True and idp.hits == 2
    assert gatekey.Verifier(verifier.keys, audience="x").verify(token)["sub"] == "alice"
    # the IdP goes down: the last good set is served
    idp.up = False
    now[0] = 1000
    assert len(client.keys()) == 2 and client.last_error is not None
    idp.server.shutdown()


def test_mcp_token_verifier(keys: gatekey.KeySet) -> None:
    tv = TokenVerifier(gatekey.Verifier(keys, audience="mcp"), resource="mcp")
    good = es256(claims("frank", exp=2_000_000_000))
    access = asyncio.run(tv.verify_token(good))
    assert access is not None
    assert access.client_id == "gw" and access.scopes == ["tools:list", "tools:call"]
    assert access.expires_at == 2_000_000_000 and access.token == good
    assert asyncio.run(tv.verify_token(es256(claims("frank", exp=1)))) is None
    assert asyncio.run(tv.verify_token("garbage")) is None
