"""FastAPI: the request's gatekey identity as a dependency, with the scopes
each route needs and an OpenAPI security scheme.

>>> from fastapi import FastAPI, Security
>>> from gatekey.fastapi import Authenticated, install
>>> auth = Authenticated(verifier)                                  # doctest: +SKIP
>>> app = FastAPI()
>>> install(app)            # refusals answered with gatekey's exact body
>>> @app.get("/items")                                              # doctest: +SKIP
... def items(identity: gatekey.Identity = Security(auth, scopes=["items:read"])): ...

Behind :class:`gatekey.asgi.AuthMiddleware`, the dependency takes the
identity the middleware decided (one request, one identity, one
verification); without it, the dependency authenticates the request with
its verifier. Either way the route's scopes are decided by
``Verifier.require_scopes``: held directly or through a hierarchy line of
the verifier's ``scope_rules``, else 403 ``insufficient_scope`` with one
challenge naming every scope the route needs (RFC 6750 §3.1).
"""

from __future__ import annotations

import json

from typing import Optional

from fastapi import FastAPI, HTTPException
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from gatekey import log
from gatekey._gatekey import AuthError, Identity, Refusal, Verifier, raise_error
from gatekey.asgi import AnonymousUser, User

__all__ = ["Authenticated", "MaybeAuthenticated", "Refused", "install"]

#: The code of ``missing_credential`` (gatekey's stable error codes).
_MISSING_CREDENTIAL = 100
#: Refusal headers FastAPI's response sets itself.
_OWN_HEADERS = (b"content-type", b"content-length")


class Refused(HTTPException):
    """A request gatekey refused. FastAPI's default handler answers its
    status and ``WWW-Authenticate`` with ``{"detail": <gatekey's body>}``;
    after :func:`install`, the answer is gatekey's refusal exactly (the
    body C, Node and the proxies answer with)."""

    def __init__(self, error: AuthError, refusal: Refusal) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in refusal.headers if k.lower() not in _OWN_HEADERS}
        super().__init__(status_code=refusal.status, detail=json.loads(refusal.body), headers=headers)
        self.error = error
        self.refusal = refusal


async def _answer(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    refusal = exc.refusal
    return Response(refusal.body, status_code=refusal.status, headers=dict(exc.headers or {}), media_type="application/json")


def install(app: FastAPI) -> None:
    """Answers :class:`Refused` with gatekey's refusal exactly."""
    app.add_exception_handler(Refused, _answer)


class _Dependency(SecurityBase):
    def __init__(self, verifier: Verifier, *, scheme_name: str = "gatekey", description: Optional[str] = None) -> None:
        if not isinstance(verifier, Verifier):
            raise TypeError(f"verifier: expected a gatekey.Verifier, got {type(verifier).__name__}")
        self.verifier = verifier
        self.model = HTTPBearerModel(bearerFormat="JWT", description=description)
        self.scheme_name = scheme_name

    def _refused(self, error: AuthError) -> Refused:
        log.refused(error, "fastapi")
        return Refused(error, error.refusal if error.refusal is not None else self.verifier.refusal(error))

    def _identity(self, connection: HTTPConnection, security_scopes: SecurityScopes) -> Optional[Identity]:
        user = connection.scope.get("user")
        try:
            if isinstance(user, (User, AnonymousUser)):
                identity = user.gatekey  # decided by AuthMiddleware
            else:
                query = connection.scope.get("query_string") or None
                identity = self.verifier.authenticate(connection.scope["headers"], query=query)
                log.accepted(identity, "fastapi")
            if security_scopes.scopes:
                self.verifier.require_scopes(identity, security_scopes.scopes)
        except AuthError as error:
            raise self._refused(error) from None
        return identity


class Authenticated(_Dependency):
    """A dependency (``Depends(auth)`` or ``Security(auth, scopes=[...])``)
    that answers the request's :class:`~gatekey.Identity`, or refuses the
    request: 401 with the reason, 403 ``insufficient_scope`` for a route's
    scopes. A request without a credential is refused even when the
    verifier has ``required=False`` (use :class:`MaybeAuthenticated`).

    In OpenAPI it is an HTTP bearer scheme named ``scheme_name``."""

    async def __call__(self, connection: HTTPConnection, security_scopes: SecurityScopes) -> Identity:
        identity = self._identity(connection, security_scopes)
        if identity is None:
            try:
                raise_error(_MISSING_CREDENTIAL)
            except AuthError as error:
                raise self._refused(error) from None
        assert identity is not None
        return identity


class MaybeAuthenticated(_Dependency):
    """As :class:`Authenticated`, but answers ``None`` for a request without
    a credential when the verifier has ``required=False`` (a route's scopes
    still need one)."""

    async def __call__(self, connection: HTTPConnection, security_scopes: SecurityScopes) -> Optional[Identity]:
        return self._identity(connection, security_scopes)

