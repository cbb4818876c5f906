"""EdDSA (Ed25519), HS384 and HS512 tokens minted by PyJWT verify through
the wheel with keys from a JWKS; the key decides the algorithm, so each
confusion of one for another is refused (issue "Every signature")."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from conftest import NOW, b64, claims
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import gatekey

# RFC 8032 §7.1, TEST 1.
ED_KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
)
ED_PUBLIC = ED_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
SECRET_64 = bytes(range(64))


def jwks() -> dict[str, Any]:
    return {
        "keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed", "alg": "EdDSA", "x": b64(ED_PUBLIC)},
            {"kty": "oct", "kid": "h384", "alg": "HS384", "k": b64(SECRET_64)},
            {"kty": "oct", "kid": "h512", "alg": "HS512", "k": b64(SECRET_64)},
            {"kty": "oct", "kid": "h256", "k": b64(SECRET_64)},
        ]
    }


def verifier() -> gatekey.Verifier:
    return gatekey.Verifier(gatekey.KeySet.from_jwks(jwks()), issuer="https://idp.example", audience="mcp")


def test_pyjwt_eddsa_hs384_hs512_tokens_verify() -> None:
    ks = gatekey.KeySet.from_jwks(jwks())
    assert ks.algorithms == ["EdDSA", "HS384", "HS512", "HS256"]
    v = verifier()
    c = claims("erin")
    for key, alg, kid in (
        (ED_KEY, "EdDSA", "ed"),
        (SECRET_64, "HS384", "h384"),
        (SECRET_64, "HS512", "h512"),
        (SECRET_64, "HS256", "h256"),
    ):
        token = jwt.encode(c, key, algorithm=alg, headers={"kid": kid})
        assert v.verify(token, now=NOW) == c, alg
        assert v.authenticate({"authorization": f"Bearer {token}"}, now=NOW).subject == "erin"


def test_the_key_decides_the_algorithm() -> None:
    v = verifier()
    c = claims("mallory")
    # A header naming another algorithm than the key's is refused before any
    # signature check, whichever family.
    for key, alg, kid in (
        (SECRET_64, "HS512", "h384"),
        (SECRET_64, "HS256", "h512"),
        (SECRET_64, "HS384", "h256"),
        (SECRET_64, "HS512", "ed"),
        (ED_KEY, "EdDSA", "h512"),
    ):
        token = jwt.encode(c, key, algorithm=alg, headers={"kid": kid})
        with pytest.raises(gatekey.InvalidToken) as info:
            v.verify(token, now=NOW)
        assert info.value.name == "algorithm_mismatch", (alg, kid)
    # Signed by another Ed25519 key under the known kid.
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    forged = jwt.encode(c, other, algorithm="EdDSA", headers={"kid": "ed"})
    with pytest.raises(gatekey.InvalidToken) as info:
        v.verify(forged, now=NOW)
    assert info.value.name == "bad_signature"


def test_bad_keys_of_the_new_families_are_configuration_errors() -> None:
    for jwk, name in (
        ({"kty": "oct", "alg": "HS512", "k": b64(bytes(63))}, "weak_key"),
        ({"kty": "oct", "alg": "HS384", "k": b64(bytes(47))}, "weak_key"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64(bytes(31))}, "invalid_jwk"),
        ({"kty": "OKP", "crv": "Ed25519", "x": b64(b"\x01" + bytes(31))}, "invalid_key"),
        ({"kty": "OKP", "crv": "Ed448", "x": b64(bytes(57))}, "unsupported_key"),
    ):
        with pytest.raises(gatekey.ConfigurationError) as info:
            gatekey.KeySet.from_jwks({"keys": [jwk]})
        assert info.value.name == name, jwk
