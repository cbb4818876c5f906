"""ASGI middleware that authenticates every HTTP request with one Verifier.

Stateless MCP servers must authenticate ``initialize``, ``tools/list`` and
``tools/call`` alike: this middleware does not know or care which is which.
"""

from __future__ import annotations

import warnings

from collections.abc import Awaitable, Iterable, MutableMapping
from typing import Any, Callable, Optional

from gatekey._gatekey import AuthError, Refusal, Verifier, raise_error

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class AuthMiddleware:
    """Authenticates each ``http`` and ``websocket`` request; passes
    ``lifespan`` through. The identity goes to ``scope["state"]["identity"]``
    and ``scope["user"]``; a refusal is answered with gatekey-host's one
    refusal (``Verifier.refusal``): the status, ``WWW-Authenticate`` and
    JSON body that C, Node and the proxy server answer with too.

    ``realm`` and ``resource_metadata`` are best given to the ``Verifier``
    (options of the same names); given here, they replace the verifier's
    in this middleware's challenges, checked by the same schema when the
    middleware is built."""

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
        if jwks is not None:
            warnings.warn(
                "AuthMiddleware(jwks=...) is deprecated and ignored: build the verifier with "
                "Verifier.from_jwks_url or Verifier.from_issuer, which refresh in the background",
                DeprecationWarning,
                stacklevel=2,
            )
        self.jwks = jwks
        if realm is not None or resource_metadata is not None:
            try:  # check them now, by the options' own rules, not on a refusal
                raise_error(100)
            except AuthError as sample:
                self.refusal_for(sample)

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
        # Never a fetch here: a verifier built from a source
        # (Verifier.from_issuer / from_jwks_url) refreshes its keys on
        # gatekey-host's thread, and an unknown kid only asks it to.
        query = scope.get("query_string") or None
        return self.verifier.authenticate(scope["headers"], query=query)

    def refusal_for(self, error: AuthError) -> Refusal:
        """The answer to ``error``: the verifier's refusal, with this
        middleware's ``realm`` and ``resource_metadata`` when it has them."""
        if self.realm is None and self.resource_metadata is None and error.refusal is not None:
            return error.refusal
        return self.verifier.refusal(error, realm=self.realm, resource_metadata=self.resource_metadata)

    def challenge_for(self, error: AuthError) -> Optional[str]:
        return self.refusal_for(error).www_authenticate

    async def _refuse(self, error: AuthError, send: Send) -> None:
        refusal = self.refusal_for(error)
        await send({"type": "http.response.start", "status": refusal.status, "headers": refusal.headers})
        await send({"type": "http.response.body", "body": refusal.body})
