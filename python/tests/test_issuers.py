"""Several trusted issuers, each with its own keys: `Verifier({iss: KeySet})`.

The token's `iss` picks the issuer before its `kid` picks a key, so one
issuer's key never verifies a token that claims another (RFC 8725 §3.11).
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import gatekey
from conftest import EC_KEY, NOW, SECRET, claims, es256

A = "https://idp.example"
B = "https://realm-b.example"
B_KEY = ec.derive_private_key(int.from_bytes(b"\x09" * 32, "big"), ec.SECP256R1())


def pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def keys_a() -> gatekey.KeySet:
    return gatekey.KeySet.from_pem(pem(EC_KEY), kid="ec1")


def keys_b() -> gatekey.KeySet:
    return gatekey.KeySet.from_pem(pem(B_KEY), kid="b1") | gatekey.KeySet.hs256(SECRET, kid="hs-b")


def token_b(**extra: Any) -> str:
    return jwt.encode(claims("bob", iss=B, **extra), B_KEY, algorithm="ES256", headers={"kid": "b1"})


def two_issuers(**options: Any) -> gatekey.Verifier:
    return gatekey.Verifier({A: keys_a(), B: keys_b()}, audience="mcp", **options)


@pytest.mark.parametrize("cache_size", [0, 64])
def test_each_issuer_verifies_with_its_own_keys(cache_size: int) -> None:
    v = two_issuers(cache_size=cache_size)
    for _ in range(2):  # the second round is served by the cache when there is one
        assert v.verify(es256(claims("alice")), now=NOW)["sub"] == "alice"
        assert v.verify(token_b(), now=NOW)["sub"] == "bob"
        hs = jwt.encode(claims("carol", iss=B), SECRET, algorithm="HS256", headers={"kid": "hs-b"})
        assert v.verify(hs, now=NOW)["sub"] == "carol"
    identity = v.authenticate([(b"authorization", b"Bearer " + token_b().encode())], now=NOW)
    assert identity is not None and identity.subject == "bob"


def test_a_key_of_one_issuer_never_verifies_a_token_claiming_another() -> None:
    v = two_issuers(cache_size=64)
    # Signed with A's key, claiming B: B's keys do not include A's.
    forged = es256(claims("mallory", iss=B))
    with pytest.raises(gatekey.AuthError) as e:
        v.verify(forged, now=NOW)
    assert e.value.name == "unknown_key"
    # Signed with B's key and kid, claiming A.
    forged = jwt.encode(claims("mallory", iss=A), B_KEY, algorithm="ES256", headers={"kid": "b1"})
    with pytest.raises(gatekey.AuthError) as e:
        v.verify(forged, now=NOW)
    assert e.value.name == "unknown_key"


def test_unknown_or_missing_issuer() -> None:
    v = two_issuers()
    with pytest.raises(gatekey.AuthError) as e:
        v.verify(es256(claims(iss="https://elsewhere.example")), now=NOW)
    assert e.value.name == "unknown_issuer"
    payload = claims()
    del payload["iss"]
    with pytest.raises(gatekey.AuthError) as e:
        v.verify(es256(payload), now=NOW)
    assert e.value.name == "missing_claim"


def test_shared_rules_apply_to_every_issuer() -> None:
    v = two_issuers(cache_size=64)
    with pytest.raises(gatekey.AuthError) as e:
        v.verify(token_b(aud="billing"), now=NOW)
    assert e.value.name == "wrong_audience"
    token = token_b()
    assert v.verify(token, now=NOW)["sub"] == "bob"
    with pytest.raises(gatekey.AuthError) as e:  # cached, and still expires
        v.verify(token, now=NOW + 601)
    assert e.value.name == "expired"


def test_replacing_an_issuers_keys_empties_the_cache() -> None:
    v = two_issuers(cache_size=64)
    token = token_b()
    assert v.verify(token, now=NOW)["sub"] == "bob"
    v.set_keys({A: keys_a(), B: gatekey.KeySet.hs256(SECRET, kid="hs-b")})
    with pytest.raises(gatekey.AuthError) as e:
        v.verify(token, now=NOW)
    assert e.value.name == "unknown_key"
    assert v.cache_info().misses == 2


def test_configuration_errors() -> None:
    with pytest.raises(gatekey.ConfigurationError, match="issuer") as given:
        gatekey.Verifier({A: keys_a()}, issuer=A)
    assert given.value.option == "issuers"
    with pytest.raises(gatekey.ConfigurationError, match="issuers") as empty:
        gatekey.Verifier({})
    assert empty.value.option == "keys"
    with pytest.raises(TypeError):
        gatekey.Verifier({A: "not a key set"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        gatekey.Verifier([keys_a()])  # type: ignore[arg-type]
    v = two_issuers()
    with pytest.raises(ValueError, match="set_keys"):
        v.set_keys(keys_a())
    with pytest.raises(ValueError, match="issuers"):
        _ = v.keys
    issuers = v.issuers
    assert issuers is not None and sorted(issuers) == [A, B] and len(issuers[B]) == 2
    single = gatekey.Verifier(keys_a())
    assert single.issuers is None
    with pytest.raises(ValueError, match="set_keys"):
        single.set_keys({A: keys_a()})
