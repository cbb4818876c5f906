"""gatekey vs PyJWT: per-call time to verify a token from Python (ES256, HS256).

Run with `make bench-python` (builds and installs the wheel into .venv).
Both sides check the signature, exp and aud and return the claims dict.
The "cached" rows use `Verifier(cache_size=...)`: the same token on every
call, as in a session, so after the first call each one is a cache hit
(SHA-256 of the token, a lookup, exp/nbf checked, claims decoded).
"""

from __future__ import annotations

import time
import timeit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

import gatekey

SECRET = b"0123456789abcdef0123456789abcdef-gateway-secret"
EC_KEY = ec.derive_private_key(int.from_bytes(b"\x07" * 32, "big"), ec.SECP256R1())
NOW = int(time.time())
CLAIMS = {"iss": "https://idp.example", "sub": "alice", "aud": "mcp", "exp": NOW + 3600, "iat": NOW - 10, "scope": "tools:list tools:call", "client_id": "gw"}


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


def per_call(fn, budget: float = 1.0) -> float:  # type: ignore[no-untyped-def]
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    reps = max(3, int(budget / max(timer.timeit(n) / n * n, 1e-9)))
    return min(timer.repeat(repeat=min(reps, 5), number=n)) / n * 1e6


def main() -> None:
    es = jwt.encode(CLAIMS, EC_KEY, algorithm="ES256", headers={"kid": "ec1"})
    hs = jwt.encode(CLAIMS, SECRET, algorithm="HS256")
    pem = EC_KEY.public_key().public_bytes(
        encoding=__import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.PEM,
        format=__import__("cryptography.hazmat.primitives.serialization", fromlist=["PublicFormat"]).PublicFormat.SubjectPublicKeyInfo,
    )
    v_es = gatekey.Verifier(gatekey.KeySet.from_pem(pem, kid="ec1"), audience="mcp")
    v_hs = gatekey.Verifier(gatekey.KeySet.hs256(SECRET), audience="mcp")
    v_es_cached = gatekey.Verifier(gatekey.KeySet.from_pem(pem, kid="ec1"), audience="mcp", cache_size=1024)
    es_headers = request(es)
    hs_headers = request(hs)
    pub = EC_KEY.public_key()
    opts = {"require": ["exp"]}
    pyjwt_es = lambda: jwt.decode(es, pub, algorithms=["ES256"], audience="mcp", options=opts)  # noqa: E731
    rows = [
        ("ES256 verify", lambda: v_es.verify(es), pyjwt_es),
        ("ES256 authenticate (ASGI headers)", lambda: v_es.authenticate(es_headers), pyjwt_es),
        ("ES256 authenticate, cached", lambda: v_es_cached.authenticate(es_headers), pyjwt_es),
        ("ES256 verify, cached", lambda: v_es_cached.verify(es), pyjwt_es),
        ("HS256 verify", lambda: v_hs.verify(hs), lambda: jwt.decode(hs, SECRET, algorithms=["HS256"], audience="mcp", options=opts)),
        (
            "HS256 authenticate (ASGI headers)",
            lambda: v_hs.authenticate(hs_headers),
            None,
        ),
        ("HS256 resolve only (ASGI headers)", lambda: gatekey.resolve(hs_headers, v_hs.policy), None),
    ]
    assert v_es.verify(es) == jwt.decode(es, pub, algorithms=["ES256"], audience="mcp")
    print(f"{'operation':<36} {'gatekey µs':>11} {'PyJWT µs':>10} {'speedup':>8}")
    print("-" * 68)
    pyjwt_times: dict[int, float] = {}
    for name, ours, theirs in rows:
        a = per_call(ours)
        if theirs is None:
            print(f"{name:<36} {a:>11.2f} {'-':>10} {'-':>8}")
            continue
        b = pyjwt_times.setdefault(id(theirs), per_call(theirs))
        print(f"{name:<36} {a:>11.2f} {b:>10.2f} {b / a:>7.1f}x")
    info = v_es_cached.cache_info()
    print(f"\ncache: {info.hits} hits, {info.misses} miss(es); PyJWT column: jwt.decode of the same ES256 token")


if __name__ == "__main__":
    main()
