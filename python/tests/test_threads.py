"""Many threads verifying at once give the serial results (the GIL is
released while a public-key signature is checked, so the ES256 cases also
exercise real concurrency)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import jwt
from conftest import NOW, SECRET, claims, es256

import gatekey


def outcome(verifier: gatekey.Verifier, token: str) -> object:
    try:
        identity = verifier.authenticate([(b"authorization", b"Bearer " + token.encode())], now=NOW)
        return identity.subject if identity else None
    except gatekey.AuthError as e:
        return e.name


def test_threads_match_serial(keys: gatekey.KeySet) -> None:
    verifier = gatekey.Verifier(keys | gatekey.KeySet.hs256(SECRET, kid="hs"), audience="mcp")
    tokens = []
    for i in range(150):
        good = es256(claims(f"u{i}")) if i % 2 else jwt.encode(claims(f"u{i}"), SECRET, algorithm="HS256", headers={"kid": "hs"})
        tokens += [good, good[:-3] + "AAA", es256(claims(f"x{i}", exp=NOW - i - 1))]
    serial = [outcome(verifier, t) for t in tokens]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(lambda t: outcome(verifier, t), tokens)) == serial
    assert serial.count("expired") == 150
    assert serial.count("u1") == 1 and serial.count("bad_signature") == 150
