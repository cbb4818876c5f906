"""ASGI middleware that authenticates every HTTP request with one Verifier.

Stateless MCP servers must authenticate ``tools/list`` and ``tools/call``
alike: this middleware authenticates every request. For MCP 2026-07-28 it
also

- decides the scopes each call needs (the verifier's ``scope_rules``, from
  the ``Mcp-Method`` and ``Mcp-Name`` headers, as a proxy would);
- reads the JSON-RPC body of a POST to an MCP path (bounded, handed on
  unchanged) and refuses one whose ``method`` or name differs from those
  headers with 400 and JSON-RPC error -32020, before the tool runs;
- serves the protected resource metadata (RFC 9728) where its challenges'
  ``resource_metadata`` points, when given ``authorization_servers``.
"""

from __future__ import annotations

import json
import warnings

from collections.abc import Awaitable, Iterable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import urlsplit

from gatekey import log
from gatekey._gatekey import AuthError, Identity, Refusal, Verifier, raise_error

if TYPE_CHECKING:
    from starlette.authentication import AuthCredentials as _CredentialsBase
    from starlette.authentication import BaseUser as _UserBase
else:  # Starlette is optional: the classes below duck-type it without it.
    try:
        from starlette.authentication import AuthCredentials as _CredentialsBase
        from starlette.authentication import BaseUser as _UserBase
    except ImportError:  # pragma: no cover - exercised without Starlette only
        _UserBase = object

        class _CredentialsBase:
            def __init__(self, scopes: Optional[Sequence[str]] = None) -> None:
                self.scopes = [] if scopes is None else list(scopes)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The code of ``header_mismatch`` (gatekey's stable error codes).
_HEADER_MISMATCH = 113
#: The JSON-RPC body's params member each name-bearing method names.
_NAME_PARAMETER = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
#: The well-known path of RFC 9728 §3.
_METADATA_PATH = "/.well-known/oauth-protected-resource"
#: The longest WebSocket close reason, in bytes (RFC 6455 §5.5: a control
#: frame's payload is at most 125 bytes, two of them the code).
_CLOSE_REASON_MAX = 123
#: The first MCP revision whose POSTs must carry Mcp-Method (and Mcp-Name).
_HEADERS_REQUIRED_FROM = "2026-07-28"


def _header(scope: Scope, name: bytes) -> Optional[bytes]:
    return next((value for field, value in scope["headers"] if field.lower() == name), None)


class _Ambiguous(ValueError):
    """A JSON object with a member name given twice."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise _Ambiguous("a JSON object has a member name twice")
    return dict(pairs)


def _metadata_path(resource: str) -> str:
    """RFC 9728 §3.1: the well-known path, then the resource's path."""
    path = urlsplit(resource).path.rstrip("/")
    return _METADATA_PATH + path


class User(_UserBase):
    """``scope["user"]`` (Starlette's ``request.user``) for a request
    gatekey authenticated: a Starlette ``BaseUser`` when Starlette is
    installed. ``gatekey`` is the :class:`~gatekey.Identity`, and every
    attribute of it (``subject``, ``claims``, ``scopes``, ``source``,
    ``drift``, ...) reads through; ``identity`` is Starlette's, the
    subject."""

    def __init__(self, identity: Identity) -> None:
        self.gatekey = identity

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.gatekey.subject or ""

    @property
    def identity(self) -> str:
        return self.gatekey.subject or ""

    def __getattr__(self, name: str) -> Any:
        if name == "gatekey":  # not set yet: no recursion
            raise AttributeError(name)
        return getattr(self.gatekey, name)

    def __repr__(self) -> str:
        return f"User({self.gatekey!r})"


class AnonymousUser(_UserBase):
    """``scope["user"]`` for a request let through without a credential
    (a verifier built with ``required=False``)."""

    gatekey: Optional[Identity] = None

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return ""

    @property
    def identity(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "AnonymousUser()"


class Credentials(_CredentialsBase):
    """``scope["auth"]`` (Starlette's ``request.auth``): the scopes the
    token grants, so that Starlette's ``@requires("scope")`` works; a
    Starlette ``AuthCredentials`` when Starlette is installed. The scopes
    are read from the identity on first use: most requests never ask."""

    def __init__(self, identity: Optional[Identity]) -> None:
        # The base's __init__ would take the scopes now; they are read lazily.
        self._identity = identity
        self._scopes: Optional[list[str]] = None

    @property
    def scopes(self) -> list[str]:
        if self._scopes is None:
            self._scopes = [] if self._identity is None else self._identity.scopes
        return self._scopes

    @scopes.setter
    def scopes(self, value: list[str]) -> None:
        self._scopes = list(value)


def user_of(identity: Optional[Identity]) -> "User | AnonymousUser":
    """The ``scope["user"]`` of a request's identity."""
    return AnonymousUser() if identity is None else User(identity)


class AuthMiddleware:
    """Authenticates each ``http`` and ``websocket`` request (every path,
    unless listed in ``exempt``); passes ``lifespan`` through. The identity
    goes to ``scope["state"]["identity"]`` (``None`` for an anonymous
    request a verifier with ``required=False`` let through), and, by
    Starlette's authentication convention, to ``scope["user"]``
    (:class:`User` or :class:`AnonymousUser`) and ``scope["auth"]``
    (:class:`Credentials`, the token's scopes), so that ``request.user``,
    ``request.auth`` and ``@requires`` work. A refusal is answered with
    gatekey-host's one refusal (``Verifier.refusal``): the status,
    ``WWW-Authenticate`` and JSON body that C, Node and the proxy server
    answer with too; a WebSocket is closed with 1008 and the reason.

    ``realm`` and ``resource_metadata`` are best given to the ``Verifier``
    (options of the same names); given here, they replace the verifier's
    in this middleware's challenges, checked by the same schema when the
    middleware is built."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        *,
        exempt: Iterable[str] = (),
        resource_metadata: Optional[str] = None,
        realm: Optional[str] = None,
        jwks: Optional[Any] = None,
        mcp_paths: Iterable[str] = ("/mcp",),
        max_body: int = 1 << 20,
        authorization_servers: Optional[Sequence[str]] = None,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt = frozenset(exempt)
        self.mcp_paths = frozenset(mcp_paths)
        if not isinstance(max_body, int) or isinstance(max_body, bool) or not 0 < max_body <= 64 << 20:
            raise ValueError(f"max_body: expected a whole number of bytes from 1 to {64 << 20}, got {max_body!r}")
        self.max_body = max_body
        self.metadata: Optional[bytes] = None
        self.metadata_path: Optional[str] = None
        if authorization_servers is not None:
            resource = verifier.resource
            if resource is None:
                raise ValueError("authorization_servers: the verifier needs the resource option (this server's canonical URI) to serve its metadata")
            if isinstance(authorization_servers, str) or not authorization_servers or not all(
                isinstance(a, str) and a.startswith(("https://", "http://")) for a in authorization_servers
            ):
                raise ValueError(f"authorization_servers: expected a non-empty list of issuer URLs, got {authorization_servers!r}")
            self.metadata_path = _metadata_path(resource)
            document = {
                "resource": resource,
                "authorization_servers": list(authorization_servers),
                "scopes_supported": verifier.scopes_supported,
                "bearer_methods_supported": ["header"],
            }
            self.metadata = json.dumps(document, separators=(",", ":")).encode()
            if resource_metadata is None and verifier.resource_metadata is None:
                parts = urlsplit(resource)
                resource_metadata = f"{parts.scheme}://{parts.netloc}{self.metadata_path}"
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
        path = scope.get("path")
        if scope["type"] == "http" and self.metadata is not None and path == self.metadata_path:
            await self._metadata(scope, send)
            return
        if scope["type"] not in ("http", "websocket") or path in self.exempt:
            await self.app(scope, receive, send)
            return
        try:
            identity = self._authenticate(scope)
        except AuthError as error:
            log.refused(error, "asgi.AuthMiddleware")
            if scope["type"] == "websocket":
                reason = f"{error.name}: {error}".encode()[:_CLOSE_REASON_MAX].decode(errors="ignore")
                await send({"type": "websocket.close", "code": 1008, "reason": reason})
            else:
                await self._refuse(error, send)
            return
        log.accepted(identity, "asgi.AuthMiddleware")
        scope.setdefault("state", {})["identity"] = identity
        scope["user"] = user_of(identity)
        scope["auth"] = Credentials(identity)
        if scope["type"] == "http" and scope.get("method") == "POST" and self._is_mcp(scope):
            checked = await self._check_body(scope, receive, send)
            if checked is None:
                return
            receive = checked
        await self.app(scope, receive, send)

    def _is_mcp(self, scope: Scope) -> bool:
        """A POST to an MCP path, or one that names a call in its headers."""
        return scope.get("path") in self.mcp_paths or any(name == b"mcp-method" for name, _ in scope["headers"])

    async def _check_body(self, scope: Scope, receive: Receive, send: Send) -> Optional[Receive]:
        """Reads the body (at most ``max_body`` bytes) and checks the call it
        makes against ``Mcp-Method`` and ``Mcp-Name``: the ``receive`` that
        replays it, or ``None`` when the request was answered here."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._answer(send, 413, b'{"error":"invalid_request","error_description":"the request body is larger than max_body"}')
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            self._check_call(scope, body)
        except AuthError as error:
            log.refused(error, "asgi.AuthMiddleware")
            await self._refuse(error, send)
            return None
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    def _check_call(self, scope: Scope, body: bytes) -> None:
        """The body's call against the headers. A request of an MCP revision
        before 2026-07-28 carries no ``Mcp-Method``: its call is decided
        by the scope rules from the body instead (authenticated again with
        the headers it would carry), so an older client cannot slip past
        a per-tool rule."""
        try:
            call = json.loads(body, object_pairs_hook=_unique)
        except _Ambiguous:
            raise_error(_HEADER_MISMATCH)  # which member counts is not certain
        except ValueError:
            return  # not JSON: the server answers -32700 and calls nothing
        if not isinstance(call, dict) or "method" not in call:
            # A batch (no longer in MCP) or a response: no call to match,
            # unless the headers claim one.
            if any(name == b"mcp-method" for name, _ in scope["headers"]):
                raise_error(_HEADER_MISMATCH)
            return
        method = call["method"]
        params = call.get("params")
        key = _NAME_PARAMETER.get(method) if isinstance(method, str) else None
        name = params.get(key) if key is not None and isinstance(params, dict) else None
        if not isinstance(method, str) or (name is not None and not isinstance(name, str)):
            raise_error(_HEADER_MISMATCH)
        version = (_header(scope, b"mcp-protocol-version") or b"").decode("latin-1")
        if _header(scope, b"mcp-method") is None and version < _HEADERS_REQUIRED_FROM:
            if self.verifier.scope_rules:
                named = [(b"mcp-method", method.encode())]
                if name is not None:
                    named.append((b"mcp-name", name.encode()))
                self.verifier.authenticate(list(scope["headers"]) + named, query=scope.get("query_string") or None)
            return
        self.verifier.check_call(scope["headers"], method, name)

    async def _metadata(self, scope: Scope, send: Send) -> None:
        if scope.get("method") not in ("GET", "HEAD"):
            await self._answer(send, 405, b'{"error":"method_not_allowed"}', [(b"allow", b"GET, HEAD")])
            return
        assert self.metadata is not None
        await self._answer(send, 200, self.metadata, [(b"cache-control", b"max-age=3600")])

    @staticmethod
    async def _answer(send: Send, status: int, body: bytes, extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

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
