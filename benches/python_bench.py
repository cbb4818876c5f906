"""gatekey vs PyJWT and joserfc from Python: per-call verification, and ASGI middleware overhead.

Run with `make bench-python` (builds and installs the wheel into .venv), or
`.venv/bin/python benches/python_bench.py` against the installed wheel.

Part 1, per call (ES256, HS256). gatekey, PyJWT (`jwt.decode`) and joserfc
(`jwt.decode` then `JWTClaimsRegistry.validate`) verify the same tokens with
the same checks: the signature, `exp` required and checked, `aud` == "mcp";
each returns the claims dict. Before timing, each peer must return the same
claims as gatekey and reject a token with one altered signature character,
a wrong `aud`, a missing `exp` and an expired `exp`. The peer columns always
time a decode of the bare token: the "authenticate" rows add gatekey's
finding of the bearer token in 12 ASGI headers, which the peers do not do.
The "cached" rows use `Verifier(cache_size=...)`: the same token on every
call, as in a session, so after the first call each one is a cache hit
(SHA-256 of the token, a lookup, exp/nbf checked, claims decoded).
Timing: `timeit` (GC off), n calls per sample with n from `autorange`
(>= 0.2 s a sample); every callable is sampled once per round, rounds
interleaved; the table shows the MIN over the rounds.

Part 2, one full ASGI request cycle driven in-process: `scope`/`receive`/
`send` built here and the app awaited in a loop on one asyncio event loop (no
server, no socket, GC on as in a server). The request is a typical MCP POST
to /mcp (the 12 headers of `request()`, content-length set to the body's
length) with a JSON-RPC `tools/list` body; the endpoint parses the body and
answers a small JSON-RPC result. Configurations:
  (a) a minimal Starlette app, one POST route, unprotected: the baseline;
  (b) (a) wrapped in `gatekey.asgi.AuthMiddleware`, ES256 Verifier with the
      claims cache on (cache_size=1024, the realistic setting) and off;
  (c) (a) protected as the MCP SDK's servers do it: Starlette's
      `AuthenticationMiddleware(backend=mcp BearerAuthBackend(verifier))` and
      the SDK's `AuthContextMiddleware` around the app, the SDK's
      `RequireAuthMiddleware` around the route's endpoint, with a TokenVerifier
      built on PyJWT (`jwt.decode` ES256, aud and exp required) returning an
      `AccessToken`.
Before timing, each protected configuration must answer 200 (and the endpoint
see the authenticated user) with the token, and 401 without one or with the
altered-signature token. Each sample is one batch of n requests (n sized to
~0.15 s); configurations are interleaved over the rounds; µs/request is shown
as the min (used for the overheads) and the median over the rounds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import timeit
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey
from jwt.types import Options
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.provider import AccessToken
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import gatekey
from gatekey.asgi import AuthMiddleware

SECRET = b"0123456789abcdef0123456789abcdef-gateway-secret"
EC_KEY = ec.derive_private_key(int.from_bytes(b"\x07" * 32, "big"), ec.SECP256R1())
NOW = int(time.time())
CLAIMS = {"iss": "https://idp.example", "sub": "alice", "aud": "mcp", "exp": NOW + 3600, "iat": NOW - 10, "scope": "tools:list tools:call", "client_id": "gw"}
ROUNDS = 5  # part 1: samples per callable (min reported)
ASGI_ROUNDS = 9  # part 2: samples per configuration (min and median reported)


def request(token: str) -> list[tuple[bytes, bytes]]:
    """The ASGI `scope["headers"]` of a typical MCP POST: 12 fields, a 5-cookie `Cookie`."""
    return [
        (b"host", b"mcp.example.com"),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) mcp-client/1.4"),
        (b"accept", b"application/json, text/event-stream"),
        (b"accept-encoding", b"gzip, deflate, br"),
        (b"accept-language", b"en-US,en;q=0.9"),
        (b"content-type", b"application/json"),
        (b"content-length", b"187"),
        (b"mcp-protocol-version", b"2025-06-18"),
        (b"mcp-session-id", b"5f1c0e9a-3b7d-4c2e-9f8a-1d2e3f4a5b6c"),
        (b"cookie", b"_ga=GA1.2.1234567890.1700000000; theme=dark; lang=en; csrftoken=Zk3x9Qm2; _gid=GA1.2.987654321.1700000000"),
        (b"x-request-id", b"a3f1c9e2-7b44-4d0e-8e21-5c6b9d0f1a2b"),
        (b"authorization", b"Bearer " + token.encode()),
    ]


def tamper(token: str) -> str:
    """`token` with one character in the middle of its signature changed (not the last
    character, whose low bits are base64url padding a decoder may ignore)."""
    head, _, sig = token.rpartition(".")
    i = len(sig) // 2
    return f"{head}.{sig[:i]}{'B' if sig[i] == 'A' else 'A'}{sig[i + 1 :]}"


def rejects(fn: Callable[[str], object], token: str) -> bool:
    try:
        fn(token)
    except (gatekey.AuthError, jwt.PyJWTError, JoseError):
        return True
    return False


# ---------------------------------------------------------------- part 1: per call


def calibrate(fn: Callable[[], object]) -> tuple[timeit.Timer, int]:
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    return timer, n


def per_call_table() -> None:
    es = jwt.encode(CLAIMS, EC_KEY, algorithm="ES256", headers={"kid": "ec1"})
    hs = jwt.encode(CLAIMS, SECRET, algorithm="HS256")
    pem = EC_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    v_es = gatekey.Verifier(gatekey.KeySet.from_pem(pem, kid="ec1"), audience="mcp")
    v_hs = gatekey.Verifier(gatekey.KeySet.hs256(SECRET), audience="mcp")
    v_es_cached = gatekey.Verifier(gatekey.KeySet.from_pem(pem, kid="ec1"), audience="mcp", cache_size=1024)
    es_headers = request(es)
    hs_headers = request(hs)

    pub = EC_KEY.public_key()
    opts: Options = {"require": ["exp"]}
    jose_es_key = ECKey.import_key(pem)
    jose_hs_key = OctKey.import_key(SECRET)
    registry = jose_jwt.JWTClaimsRegistry(exp={"essential": True}, aud={"essential": True, "value": "mcp"})

    def pyjwt_es_decode(token: str) -> dict[str, Any]:
        return jwt.decode(token, pub, algorithms=["ES256"], audience="mcp", options=opts)

    def pyjwt_hs_decode(token: str) -> dict[str, Any]:
        return jwt.decode(token, SECRET, algorithms=["HS256"], audience="mcp", options=opts)

    def jose_es_decode(token: str) -> dict[str, Any]:
        claims = jose_jwt.decode(token, jose_es_key, algorithms=["ES256"]).claims
        registry.validate(claims)
        return claims

    def jose_hs_decode(token: str) -> dict[str, Any]:
        claims = jose_jwt.decode(token, jose_hs_key, algorithms=["HS256"]).claims
        registry.validate(claims)
        return claims

    # Sanity: same claims as gatekey; every side refuses the same bad tokens.
    bad = {k: v for k, v in CLAIMS.items() if k != "exp"}
    for alg, key, token, check, peer_checks in (
        ("ES256", EC_KEY, es, v_es.verify, (pyjwt_es_decode, jose_es_decode)),
        ("HS256", SECRET, hs, v_hs.verify, (pyjwt_hs_decode, jose_hs_decode)),
    ):
        headers = {"kid": "ec1"} if alg == "ES256" else None
        refused = {
            "altered signature": tamper(token),
            "wrong aud": jwt.encode({**CLAIMS, "aud": "other"}, key, algorithm=alg, headers=headers),
            "no exp": jwt.encode(bad, key, algorithm=alg, headers=headers),
            "expired": jwt.encode({**CLAIMS, "exp": NOW - 60}, key, algorithm=alg, headers=headers),
        }
        expected = check(token)
        assert expected == CLAIMS, (alg, expected)
        for fn in (check, *peer_checks):
            assert fn(token) == expected, (alg, fn)
            for what, t in refused.items():
                assert rejects(fn, t), f"{alg}: {fn} accepted a token with {what}"

    ident = v_es.authenticate(es_headers)
    assert ident is not None and ident.claims == CLAIMS
    Peers = tuple[Callable[[], object], Callable[[], object]]
    es_peers: Peers = (lambda: pyjwt_es_decode(es), lambda: jose_es_decode(es))
    hs_peers: Peers = (lambda: pyjwt_hs_decode(hs), lambda: jose_hs_decode(hs))
    # The peer callables are timed once and shown on every row of their algorithm;
    # "resolve only" verifies nothing, so it has no peer.
    rows: list[tuple[str, Callable[[], object], Peers | None]] = [
        ("ES256 verify", lambda: v_es.verify(es), es_peers),
        ("ES256 authenticate (ASGI headers)", lambda: v_es.authenticate(es_headers), es_peers),
        ("ES256 authenticate, cached", lambda: v_es_cached.authenticate(es_headers), es_peers),
        ("ES256 verify, cached", lambda: v_es_cached.verify(es), es_peers),
        ("HS256 verify", lambda: v_hs.verify(hs), hs_peers),
        ("HS256 authenticate (ASGI headers)", lambda: v_hs.authenticate(hs_headers), hs_peers),
        ("HS256 resolve only (ASGI headers)", lambda: gatekey.resolve(hs_headers, v_hs.policy), None),
    ]

    fns: list[Callable[[], object]] = []
    for _, ours, peers in rows:
        for f in (ours, *(peers or ())):
            if all(f is not g for g in fns):
                fns.append(f)
    timers = [calibrate(f) for f in fns]
    best = [float("inf")] * len(fns)
    for _ in range(ROUNDS):
        for i, (timer, n) in enumerate(timers):
            best[i] = min(best[i], timer.timeit(n) / n * 1e6)

    def us(f: Callable[[], object]) -> float:
        return best[next(i for i, g in enumerate(fns) if g is f)]

    print(f"Per call, µs (min of {ROUNDS} interleaved rounds)")
    print(f"{'operation':<36} {'gatekey µs':>11} {'PyJWT µs':>10} {'speedup':>8} {'joserfc µs':>11} {'speedup':>8}")
    print("-" * 89)
    for name, ours, peers in rows:
        a = us(ours)
        if peers is None:
            print(f"{name:<36} {a:>11.2f} {'-':>10} {'-':>8} {'-':>11} {'-':>8}")
            continue
        b, c = us(peers[0]), us(peers[1])
        print(f"{name:<36} {a:>11.2f} {b:>10.2f} {b / a:>7.1f}x {c:>11.2f} {c / a:>7.1f}x")
    info = v_es_cached.cache_info()
    print(f"\ncache: {info.hits} hits, {info.misses} miss(es)")
    print("peers: PyJWT jwt.decode; joserfc jwt.decode + JWTClaimsRegistry.validate; of the same bare token, checking")
    print("the signature, exp (required) and aud; the authenticate and cached rows repeat the verify row's peer times")


# ---------------------------------------------------------------- part 2: ASGI

BODY = b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
Message = dict[str, Any]


async def tools_list(request: Request) -> JSONResponse:
    rpc = await request.json()
    return JSONResponse({"jsonrpc": "2.0", "id": rpc["id"], "result": {"tools": []}})


def starlette_app(middleware: list[Middleware] | None = None, route_middleware: list[Middleware] | None = None) -> Starlette:
    return Starlette(routes=[Route("/mcp", tools_list, methods=["POST"], middleware=route_middleware)], middleware=middleware)


class PyJWTTokenVerifier:
    """An MCP SDK `TokenVerifier` (`mcp.server.auth.provider.TokenVerifier`) on PyJWT."""

    def __init__(self, key: ec.EllipticCurvePublicKey) -> None:
        self.key = key

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = jwt.decode(token, self.key, algorithms=["ES256"], audience="mcp", options={"require": ["exp"]})
        except jwt.PyJWTError:
            return None
        return AccessToken(
            token=token,
            client_id=claims["client_id"],
            scopes=claims["scope"].split(),
            expires_at=claims["exp"],
            resource=claims["aud"],
            subject=claims["sub"],
            claims=claims,
        )


def asgi_scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "server": ("mcp.example.com", 443),
        "client": ("203.0.113.7", 51234),
        "root_path": "",
        "path": "/mcp",
        "raw_path": b"/mcp",
        "query_string": b"",
        "headers": headers,
    }


async def receive() -> Message:
    return {"type": "http.request", "body": BODY, "more_body": False}


class Sink:
    """The `send` callable: keeps the status and body of the last response."""

    def __init__(self) -> None:
        self.status = 0
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body = message.get("body", b"")


async def call(app: Any, template: dict[str, Any], sink: Sink) -> dict[str, Any]:
    scope = dict(template, state={})
    await app(scope, receive, sink)
    return scope


async def batch(app: Any, template: dict[str, Any], sink: Sink, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        await app(dict(template, state={}), receive, sink)
    return (time.perf_counter() - t0) / n * 1e6


async def asgi_table() -> None:
    token = jwt.encode(CLAIMS, EC_KEY, algorithm="ES256", headers={"kid": "ec1"})
    pem = EC_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def headers(t: str | None) -> list[tuple[bytes, bytes]]:
        hs = [(k, str(len(BODY)).encode() if k == b"content-length" else v) for k, v in request(t or "")]
        return hs if t is not None else [(k, v) for k, v in hs if k != b"authorization"]

    good, none, altered = asgi_scope(headers(token)), asgi_scope(headers(None)), asgi_scope(headers(tamper(token)))
    assert len(good["headers"]) == 12

    def es_verifier(cache_size: int) -> gatekey.Verifier:
        return gatekey.Verifier(gatekey.KeySet.from_pem(pem, kid="ec1"), audience="mcp", cache_size=cache_size)

    base = starlette_app()
    sdk = starlette_app(
        middleware=[
            Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(PyJWTTokenVerifier(EC_KEY.public_key()))),
            Middleware(AuthContextMiddleware),
        ],
        route_middleware=[Middleware(RequireAuthMiddleware, required_scopes=[])],
    )
    configs: list[tuple[str, Any]] = [
        ("(a) Starlette app, unprotected", base),
        ("(b) gatekey AuthMiddleware, cache on", AuthMiddleware(starlette_app(), es_verifier(1024))),
        ("(b) gatekey AuthMiddleware, cache off", AuthMiddleware(starlette_app(), es_verifier(0))),
        ("(c) MCP SDK bearer backend + PyJWT", sdk),
    ]

    # Sanity: the baseline answers; each protected app authenticates the token and refuses the rest.
    sink = Sink()
    expected = b'{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}'
    await call(base, good, sink)
    assert (sink.status, sink.body) == (200, expected), (sink.status, sink.body)
    for name, app in configs[1:]:
        scope = await call(app, good, sink)
        assert (sink.status, sink.body) == (200, expected), (name, sink.status, sink.body)
        user = scope["user"]
        subject = user.access_token.subject if isinstance(user, AuthenticatedUser) else user.subject
        assert subject == "alice", (name, user)
        for refused in (none, altered):
            await call(app, refused, sink)
            assert sink.status == 401, (name, sink.status, sink.body)

    sizes = []
    for _, app in configs:
        await batch(app, good, sink, 200)  # warm up
        per = await batch(app, good, sink, 500)
        sizes.append(max(200, int(0.15e6 / per)))
    samples: list[list[float]] = [[] for _ in configs]
    for _ in range(ASGI_ROUNDS):
        for i, (_, app) in enumerate(configs):
            samples[i].append(await batch(app, good, sink, sizes[i]))
    assert sink.status == 200

    lo = [min(s) for s in samples]
    med = [statistics.median(s) for s in samples]
    print(f"\nASGI request cycle in-process, POST /mcp tools/list, ES256 token, µs/request over {ASGI_ROUNDS} interleaved rounds")
    print(f"{'configuration':<40} {'min µs':>8} {'median µs':>10} {'overhead vs (a)':>16}")
    print("-" * 77)
    for i, (name, _) in enumerate(configs):
        over = "-" if i == 0 else f"{lo[i] - lo[0]:+.1f} µs"
        print(f"{name:<40} {lo[i]:>8.1f} {med[i]:>10.1f} {over:>16}")
    c_over = lo[3] - lo[0]
    for label, i in (("cache on", 1), ("cache off", 2)):
        b_over = lo[i] - lo[0]
        ratio = f"{c_over / b_over:.1f}x" if b_over > 0 else "n/a (within noise of the baseline)"
        print(f"(c) overhead / (b, {label}) overhead: {ratio}")
    print("overheads from the min column; (c) = Starlette AuthenticationMiddleware(mcp BearerAuthBackend(TokenVerifier")
    print("on PyJWT)) + mcp AuthContextMiddleware around the app, mcp RequireAuthMiddleware around the route")


def main() -> None:
    t0 = time.perf_counter()
    per_call_table()
    asyncio.run(asgi_table())
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
