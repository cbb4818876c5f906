"""ASGI middleware that authenticates every HTTP request with one Verifier.

Stateless MCP servers must authenticate ``initialize``, ``tools/list`` and
``tools/call`` alike: this middleware does not know or care which is which.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Iterable, MutableMapping
from typing import Any, Callable, Optional

from gatekey._gatekey import AuthError, Verifier, challenge

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AuthMiddleware:
    """Authenticates each ``http`` and ``websocket`` request; passes
    ``lifespan`` through. The identity goes to ``scope["state"]["identity"]``
    and ``scope["user"]``; a refusal is answered with the error's status,
    a JSON body and the core's ``WWW-Authenticate`` challenge."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        *,
        exempt: Iterable[str] = ("/health",),
        resource_metadata: Optional[str] = None,
        realm: Optional[str] = None,
        jwks: Optional[Any] = None,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt = frozenset(exempt)
        self.resource_metadata = resource_metadata
        self.realm = realm
        self.jwks = jwks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        try:
            identity = self._authenticate(scope)
        except AuthError as error:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await self._refuse(error, send)
            return
        scope.setdefault("state", {})["identity"] = identity
        scope["user"] = identity
        await self.app(scope, receive, send)

    def _authenticate(self, scope: Scope) -> Any:
        query = scope.get("query_string") or None
        try:
            return self.verifier.authenticate(scope["headers"], query=query)
        except AuthError as error:
            # A key the IdP rotated in since the last fetch: refetch at most
            # once per interval (the client rate-limits), then try again.
            if self.jwks is None or error.name != "unknown_key" or not self.jwks.sync(self.verifier, unknown_kid=True):
                raise
            return self.verifier.authenticate(scope["headers"], query=query)

    def challenge_for(self, error: AuthError) -> str:
        return challenge(error.code, realm=self.realm, resource_metadata=self.resource_metadata)

    async def _refuse(self, error: AuthError, send: Send) -> None:
        body = json.dumps({"error": error.error or error.name, "error_description": str(error), "code": error.code}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if error.status != 500:
            headers.append((b"www-authenticate", self.challenge_for(error).encode()))
        await send({"type": "http.response.start", "status": error.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
