"""Starlette's authentication convention and the FastAPI dependency, with
the released frameworks: ``request.user``, ``request.auth`` and
``@requires`` behind AuthMiddleware; ``Security(auth, scopes=[...])``
decided by ``Verifier.require_scopes`` (hierarchies included) and the
OpenAPI security scheme."""

from __future__ import annotations

import base64
import time
from typing import Any, Optional

import pytest
from fastapi import Depends, FastAPI, Security
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, BaseUser, requires
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

import gatekey
from gatekey.asgi import AnonymousUser, AuthMiddleware, User
from gatekey.cli import mint_hs256
from gatekey.fastapi import Authenticated, MaybeAuthenticated, install

SECRET = b"frameworks-test-secret-0123456789"


def token(sub: str = "alice", **claims: Any) -> str:
    now = int(time.time())
    return mint_hs256({"sub": sub, "iat": now, "exp": now + 600, **claims}, SECRET)


def verifier(**options: Any) -> gatekey.Verifier:
    return gatekey.Verifier(gatekey.KeySet.hs256(SECRET), policy=gatekey.Policy.header_first(), **options)


def bearer(t: str) -> dict[str, str]:
    return {"authorization": f"Bearer {t}"}


# --- Identity.scopes and Verifier.require_scopes -------------------------


def test_identity_scopes_read_scope_then_scp() -> None:
    v = verifier()
    assert v.authenticate([("authorization", f"Bearer {token(scope='a b  c')}")]).scopes == ["a", "b", "c"]
    assert v.authenticate([("authorization", f"Bearer {token(scp=['x', 'y'])}")]).scopes == ["x", "y"]
    assert v.authenticate([("authorization", f"Bearer {token(scope='s', scp=['x'])}")]).scopes == ["s"]
    assert v.authenticate([("authorization", f"Bearer {token()}")]).scopes == []


def test_require_scopes_names_every_scope_the_route_needs() -> None:
    v = verifier()
    identity = v.authenticate([("authorization", f"Bearer {token(scope='read')}")])
    v.require_scopes(identity, ["read"])
    v.require_scopes(identity, "read")
    v.require_scopes(identity, [])
    with pytest.raises(gatekey.InsufficientScope) as refused:
        v.require_scopes(identity, ["read", "write", "admin"])
    assert refused.value.claim == "write admin"
    assert refused.value.scope == "read write admin"
    refusal = refused.value.refusal
    assert refusal is not None and refusal.status == 403
    assert refusal.www_authenticate == 'Bearer error="insufficient_scope", error_description="the token lacks a required scope", scope="read write admin"'


def test_require_scopes_follows_the_hierarchy() -> None:
    v = verifier(scope_rules=["admin > write", "write > read"])
    admin = v.authenticate([("authorization", f"Bearer {token(scope='admin')}")])
    v.require_scopes(admin, ["read", "write"])
    writer = v.authenticate([("authorization", f"Bearer {token(scope='write')}")])
    with pytest.raises(gatekey.InsufficientScope) as refused:
        v.require_scopes(writer, ["read", "admin"])
    assert refused.value.claim == "admin"


def test_require_scopes_anonymous_basic_and_bad_scopes() -> None:
    v = verifier(required=False)
    with pytest.raises(gatekey.MissingCredential) as anonymous:
        v.require_scopes(None, ["read"])
    assert anonymous.value.refusal is not None and anonymous.value.refusal.status == 401
    v.require_scopes(None, [])
    basic = gatekey.Verifier(gatekey.KeySet.hs256(SECRET), policy=gatekey.Policy.header_first(basic=("u", "p")))
    ident = basic.authenticate([("authorization", "Basic " + base64.b64encode(b"u:p").decode())])
    assert ident is not None and ident.source == "basic" and ident.scopes == []
    with pytest.raises(gatekey.InsufficientScope):
        basic.require_scopes(ident, ["read"])
    for bad in (["has space"], [""], [5], 5, ["x" * 100_000], ['a"b'], ["caf\u00e9"], ["a\\b"]):
        with pytest.raises(gatekey.ConfigurationError) as error:
            v.require_scopes(None, bad)
        assert error.value.option == "scopes", bad


# --- Starlette: request.user, request.auth, @requires --------------------


def starlette_app(v: gatekey.Verifier, **middleware: Any) -> Any:
    @requires("items:read")
    async def items(request: Request) -> JSONResponse:
        return JSONResponse({"user": request.user.display_name, "scopes": request.auth.scopes})

    async def whoami(request: Request) -> JSONResponse:
        user = request.user
        assert isinstance(user, BaseUser) and isinstance(request.auth, AuthCredentials)
        return JSONResponse(
            {
                "authenticated": user.is_authenticated,
                "name": user.display_name,
                "source": user.source if user.is_authenticated else None,
                "subject": user.subject if user.is_authenticated else None,
                "state": request.state.identity is not None,
            }
        )

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(websocket.user.display_name)
        await websocket.close()

    app = Starlette(
        routes=[Route("/items", items), Route("/whoami", whoami), Route("/health", health), WebSocketRoute("/ws", socket)]
    )
    return AuthMiddleware(app, v, **middleware)


def test_starlette_user_auth_and_requires() -> None:
    with TestClient(starlette_app(verifier())) as client:
        ok = client.get("/items", headers=bearer(token(scope="items:read other")))
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"user": "alice", "scopes": ["items:read", "other"]}
        assert client.get("/items", headers=bearer(token(scope="other"))).status_code == 403
        me = client.get("/whoami", headers=bearer(token("bob"))).json()
        assert me == {"authenticated": True, "name": "bob", "source": "bearer", "subject": "bob", "state": True}
        assert client.get("/whoami").status_code == 401


def test_starlette_anonymous_user_when_not_required() -> None:
    with TestClient(starlette_app(verifier(required=False))) as client:
        me = client.get("/whoami").json()
        assert me == {"authenticated": False, "name": "", "source": None, "subject": None, "state": False}
        assert client.get("/items").status_code == 403  # Starlette's @requires refuses


def test_no_path_is_exempt_unless_configured() -> None:
    with TestClient(starlette_app(verifier())) as client:
        assert client.get("/health").status_code == 401
    with TestClient(starlette_app(verifier(), exempt=["/health"])) as client:
        assert client.get("/health").json() == {"ok": True}


def test_websocket_refusal_carries_the_reason() -> None:
    with TestClient(starlette_app(verifier())) as client:
        with client.websocket_connect("/ws", headers=bearer(token("carol"))) as ws:
            assert ws.receive_text() == "carol"
        with pytest.raises(WebSocketDisconnect) as closed:
            with client.websocket_connect("/ws", headers=bearer(token(exp=1))):
                pass  # pragma: no cover - the connection is refused
        assert closed.value.code == 1008
        assert closed.value.reason.startswith("expired: ")
        assert len(closed.value.reason.encode()) <= 123


def test_user_reads_the_identity_through() -> None:
    identity = verifier().authenticate([("authorization", f"Bearer {token(scope='a')}")])
    assert identity is not None
    user = User(identity)
    assert user.is_authenticated and user.subject == "alice" and user.claims["scope"] == "a"
    assert user.gatekey is identity and user.identity == "alice" and user.scopes == ["a"]
    assert not AnonymousUser().is_authenticated and AnonymousUser().gatekey is None
    with pytest.raises(AttributeError):
        user.no_such_attribute  # noqa: B018


# --- FastAPI: Security(auth, scopes=[...]) and OpenAPI -------------------


def fastapi_app(v: gatekey.Verifier, *, exact: bool = True) -> FastAPI:
    auth = Authenticated(v, description="gatekey bearer token")
    maybe = MaybeAuthenticated(v, description="gatekey bearer token")
    app = FastAPI()
    if exact:
        install(app)

    @app.get("/items")
    def items(identity: gatekey.Identity = Security(auth, scopes=["items:read"])) -> dict[str, Any]:
        return {"sub": identity.subject, "scopes": identity.scopes}

    @app.get("/admin")
    def admin(identity: gatekey.Identity = Security(auth, scopes=["items:read", "items:write"])) -> dict[str, Any]:
        return {"sub": identity.subject}

    @app.get("/me")
    def me(identity: gatekey.Identity = Depends(auth)) -> dict[str, Any]:
        return {"sub": identity.subject, "source": identity.source}

    @app.get("/maybe")
    def maybe_me(identity: Optional[gatekey.Identity] = Depends(maybe)) -> dict[str, Any]:
        return {"sub": None if identity is None else identity.subject}

    return app


def test_fastapi_route_scopes() -> None:
    with TestClient(fastapi_app(verifier())) as client:
        ok = client.get("/items", headers=bearer(token(scope="items:read")))
        assert ok.status_code == 200 and ok.json() == {"sub": "alice", "scopes": ["items:read"]}
        refused = client.get("/admin", headers=bearer(token(scope="items:read")))
        assert refused.status_code == 403
        assert refused.headers["www-authenticate"] == 'Bearer error="insufficient_scope", error_description="the token lacks a required scope", scope="items:read items:write"'
        assert refused.json()["error"] == "insufficient_scope"
        missing = client.get("/me")
        assert missing.status_code == 401 and missing.json()["reason"] == "missing_credential"
        expired = client.get("/me", headers=bearer(token(exp=1)))
        assert expired.status_code == 401 and expired.json()["reason"] == "expired"
        assert 'error="invalid_token"' in expired.headers["www-authenticate"]


def test_fastapi_hierarchy_from_scope_rules() -> None:
    with TestClient(fastapi_app(verifier(scope_rules=["items:admin > items:read items:write"]))) as client:
        assert client.get("/admin", headers=bearer(token(scope="items:admin"))).status_code == 200


def test_fastapi_default_handler_keeps_status_and_challenge() -> None:
    with TestClient(fastapi_app(verifier(), exact=False)) as client:
        refused = client.get("/me")
        assert refused.status_code == 401 and "www-authenticate" in refused.headers
        assert refused.json()["detail"]["reason"] == "missing_credential"


def test_fastapi_maybe_authenticated() -> None:
    with TestClient(fastapi_app(verifier(required=False))) as client:
        assert client.get("/maybe").json() == {"sub": None}
        assert client.get("/maybe", headers=bearer(token("dan"))).json() == {"sub": "dan"}
        assert client.get("/me").status_code == 401  # Authenticated needs a credential
        assert client.get("/items").status_code == 401  # scopes need one too


def test_fastapi_reuses_the_middleware_identity() -> None:
    v = verifier(cache_size=64)
    app = fastapi_app(v)
    app.add_middleware(AuthMiddleware, verifier=v)
    t = token("erin", scope="items:read")
    with TestClient(app) as client:
        assert client.get("/items", headers=bearer(t)).json()["sub"] == "erin"
    info = v.cache_info()
    assert info.misses == 1 and info.hits == 0  # verified once, by the middleware


def test_fastapi_openapi_security_scheme() -> None:
    schema = fastapi_app(verifier()).openapi()
    assert schema["components"]["securitySchemes"]["gatekey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "gatekey bearer token",
    }
    assert schema["paths"]["/items"]["get"]["security"] == [{"gatekey": ["items:read"]}]
    assert schema["paths"]["/admin"]["get"]["security"] == [{"gatekey": ["items:read", "items:write"]}]


def test_fastapi_dependency_needs_a_verifier() -> None:
    with pytest.raises(TypeError, match="verifier"):
        Authenticated("not a verifier")  # type: ignore[arg-type]
