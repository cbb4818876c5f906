"""The verified-token cache (``Verifier(cache_size=...)``): a hit skips the
signature check, never the ``exp``/``nbf`` check, and new keys empty it."""

from __future__ import annotations

import threading

import pytest
from conftest import NOW, claims, es256, es256_jwks, hs256

import gatekey


def bearer(token: str) -> list[tuple[bytes, bytes]]:
    return [(b"host", b"mcp.example"), (b"authorization", b"Bearer " + token.encode())]


def test_no_cache_by_default(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp")
    v.verify(es256(claims()), now=NOW)
    info = v.cache_info()
    assert (info.hits, info.misses, info.maxsize, info.currsize) == (0, 0, 0, 0)


def test_capacity_rounds_up_and_is_bounded(keys: gatekey.KeySet) -> None:
    assert gatekey.Verifier(keys, cache_size=1).cache_info().maxsize == 64
    assert gatekey.Verifier(keys, cache_size=100).cache_info().maxsize == 128
    assert "cache_size=128" in repr(gatekey.Verifier(keys, cache_size=100))
    # The host's schema decides, and names the option.
    with pytest.raises(gatekey.ConfigurationError, match="cache_size") as big:
        gatekey.Verifier(keys, cache_size=10**9)
    assert (big.value.option, big.value.value, big.value.name) == ("cache_size", "1000000000", "invalid_config")
    with pytest.raises(gatekey.ConfigurationError, match="cache_size") as negative:
        gatekey.Verifier(keys, cache_size=-1)
    assert negative.value.option == "cache_size" and negative.value.value == "-1"
    with pytest.raises(gatekey.ConfigurationError, match="cache_size"):
        gatekey.Verifier(keys, cache_size=10**40)  # beyond i128: still the option's error


def test_hits_then_an_expired_cached_token_is_refused(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp", cache_size=256)
    token = es256(claims(exp=NOW + 600))
    for t in range(3):
        identity = v.authenticate(bearer(token), now=NOW + t)
        assert identity is not None and identity.subject == "alice"
        assert identity.claims["exp"] == NOW + 600
    assert v.verify(token, now=NOW + 10)["sub"] == "alice"
    info = v.cache_info()
    assert (info.hits, info.misses, info.currsize) == (3, 1, 1)
    with pytest.raises(gatekey.ExpiredToken) as caught:
        v.authenticate(bearer(token), now=NOW + 601)
    assert caught.value.name == "expired"
    with pytest.raises(gatekey.ExpiredToken):
        v.verify(token, now=NOW + 601)
    assert v.cache_info().hits == 5, "refused on a hit, not re-verified"


def test_not_yet_valid_is_checked_on_hits(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp", cache_size=64)
    token = es256(claims(nbf=NOW + 100))
    assert v.verify(token, now=NOW + 100)["sub"] == "alice"
    with pytest.raises(gatekey.InvalidToken):
        v.verify(token, now=NOW)
    assert (v.cache_info().hits, v.cache_info().misses) == (1, 1)


def test_a_token_one_byte_different_is_a_miss(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp", cache_size=64)
    token = es256(claims())
    v.authenticate(bearer(token), now=NOW)
    head, payload, sig = token.split(".")
    flipped = "A" if sig[5] != "A" else "B"
    forged = ".".join([head, payload, sig[:5] + flipped + sig[6:]])
    with pytest.raises(gatekey.InvalidToken):
        v.authenticate(bearer(forged), now=NOW)
    # The same payload with another subject, signed by nobody.
    with pytest.raises(gatekey.InvalidToken):
        v.verify(token[:-1] + ("A" if token[-1] != "A" else "B"), now=NOW)
    info = v.cache_info()
    assert (info.hits, info.misses, info.currsize) == (0, 3, 1)
    v.authenticate(bearer(token), now=NOW)
    assert v.cache_info().hits == 1


def test_set_keys_empties_the_cache(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp", cache_size=64)
    token = es256(claims())
    v.verify(token, now=NOW)
    v.verify(token, now=NOW)
    assert (v.cache_info().hits, v.cache_info().misses) == (1, 1)
    # Keys that do not hold the token's key: refused although it was cached.
    v.set_keys(gatekey.KeySet.hs256(b"s" * 32))
    with pytest.raises(gatekey.InvalidToken):
        v.verify(token, now=NOW)
    # The same keys again, as a new set: verified again (a miss), then hits.
    v.set_keys(gatekey.KeySet.from_jwks(es256_jwks()))
    v.verify(token, now=NOW)
    v.verify(token, now=NOW)
    info = v.cache_info()
    assert (info.hits, info.misses) == (2, 3)
    v.cache_clear()
    assert v.cache_info().currsize == 0


def test_cached_identity_equals_uncached(keys: gatekey.KeySet) -> None:
    cached = gatekey.Verifier(keys, audience="mcp", cache_size=64)
    plain = gatekey.Verifier(keys, audience="mcp")
    headers = [(b"authorization", b"Bearer " + es256(claims("bob")).encode()), (b"cookie", b"jwt_token=x")]
    for _ in range(2):
        a, b = cached.authenticate(headers, now=NOW), plain.authenticate(headers, now=NOW)
        assert a is not None and b is not None
        assert (a.source, a.subject, a.claims, a.token, a.shadowed, a.drift) == (
            b.source,
            b.subject,
            b.claims,
            b.token,
            b.shadowed,
            b.drift,
        )


def test_threads_share_the_cache() -> None:
    secret = b"0123456789abcdef0123456789abcdef-gateway-secret"
    v = gatekey.Verifier(gatekey.KeySet.hs256(secret), audience="mcp", cache_size=1024)
    tokens = [hs256(claims(f"user{i}")) for i in range(32)]
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for r in range(300):
                i = (n * 7 + r) % len(tokens)
                identity = v.authenticate(bearer(tokens[i]), now=NOW)
                assert identity is not None and identity.subject == f"user{i}"
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    info = v.cache_info()
    assert info.hits + info.misses == 8 * 300
    assert 32 <= info.misses <= 32 * 8
    assert info.currsize == 32
