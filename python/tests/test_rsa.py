"""RS256 and PS256 tokens minted by PyJWT verify through the wheel; a JWKS
mixing RSA, EC and oct keys selects by kid (the core's rules, issue 9)."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
from conftest import EC_KEY, NOW, ROOT, SECRET, b64, claims, es256, es256_jwks
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import gatekey

KEYS: dict[str, Any] = {
    k["name"]: k
    for k in json.loads((ROOT / "core" / "tests" / "vectors" / "rsa_test_keys.json").read_text())["keys"]
}


def private(name: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(KEYS[name]["private_pem"].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def rsa_jwk(name: str, kid: str, alg: str) -> dict[str, Any]:
    k = KEYS[name]
    return {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "alg": alg,
        "n": b64(bytes.fromhex(k["n"])),
        "e": b64(bytes.fromhex(k["e"])),
    }


def mixed_jwks() -> dict[str, Any]:
    return {
        "keys": [
            rsa_jwk("issuer-a", "rs", "RS256"),
            rsa_jwk("issuer-a", "ps", "PS256"),
            rsa_jwk("rsa-4096", "rs4096", "RS256"),
            es256_jwks()["keys"][0],
            {"kty": "oct", "kid": "hs", "k": b64(SECRET)},
            {"kty": "RSA", "kid": "rs512", "alg": "RS512", "n": "AQAB", "e": "AQAB"},
        ]
    }


def test_pyjwt_rs256_and_ps256_tokens_verify_and_select_by_kid() -> None:
    ks = gatekey.KeySet.from_jwks(mixed_jwks())
    assert ks.kids == ["rs", "ps", "rs4096", "ec1", "hs"] and ks.skipped == 1
    assert ks.algorithms == ["RS256", "PS256", "RS256", "ES256", "HS256"]
    verifier = gatekey.Verifier(ks, issuer="https://idp.example", audience="mcp")
    c = claims("rita", realm_access={"roles": ["mcp-user"]})
    tokens = [
        jwt.encode(c, private("issuer-a"), algorithm="RS256", headers={"kid": "rs"}),
        jwt.encode(c, private("issuer-a"), algorithm="PS256", headers={"kid": "ps"}),
        jwt.encode(c, private("rsa-4096"), algorithm="RS256", headers={"kid": "rs4096"}),
        es256(c),
        jwt.encode(c, SECRET, algorithm="HS256", headers={"kid": "hs"}),
    ]
    for token in tokens:
        assert verifier.verify(token, now=NOW) == c
    # The key decides: an RS256 token under the PS256 key's kid, and back.
    for alg, kid in (("RS256", "ps"), ("PS256", "rs"), ("RS256", "ec1"), ("ES256", "rs")):
        key: Any = private("issuer-a") if alg != "ES256" else EC_KEY
        token = jwt.encode(c, key, algorithm=alg, headers={"kid": kid})
        with pytest.raises(gatekey.InvalidToken) as info:
            verifier.verify(token, now=NOW)
        assert info.value.name == "algorithm_mismatch"
    # Signed by another RSA key under a known kid.
    forged = jwt.encode(c, private("issuer-b"), algorithm="RS256", headers={"kid": "rs"})
    with pytest.raises(gatekey.InvalidToken) as info:
        verifier.verify(forged, now=NOW)
    assert info.value.name == "bad_signature"


def test_hs256_signed_with_the_rsa_public_key_is_refused() -> None:
    ks = gatekey.KeySet.from_jwks({"keys": [rsa_jwk("issuer-a", "rs", "RS256")]})
    verifier = gatekey.Verifier(ks, audience="mcp")
    pem = KEYS["issuer-a"]["pem"].encode()
    jwk_text = json.dumps(rsa_jwk("issuer-a", "rs", "RS256")).encode()
    for secret in (pem, jwk_text):
        # PyJWT refuses PEM-looking HMAC secrets itself; sign by hand.
        token = hs256_raw(claims(), secret, kid="rs")
        with pytest.raises(gatekey.InvalidToken) as info:
            verifier.verify(token, now=NOW)
        assert info.value.name == "algorithm_mismatch"


def hs256_raw(payload: dict[str, Any], secret: bytes, kid: str) -> str:
    import hashlib
    import hmac

    header = b64(json.dumps({"alg": "HS256", "kid": kid}).encode())
    body = b64(json.dumps(payload).encode())
    mac = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(mac)}"


def test_weak_and_odd_rsa_keys_are_configuration_errors() -> None:
    for jwk, name in (
        (rsa_jwk("weak-1024", "w", "RS256"), "weak_rsa_key"),
        ({**rsa_jwk("issuer-a", "e", "RS256"), "e": "Ag"}, "unsupported_rsa_exponent"),
    ):
        with pytest.raises(gatekey.ConfigurationError) as info:
            gatekey.KeySet.from_jwks({"keys": [jwk]})
        assert info.value.name == name and info.value.status == 500


def test_keycloak_shaped_token() -> None:
    ks = gatekey.KeySet.from_jwks({"keys": [rsa_jwk("issuer-a", "kc", "RS256")]})
    iss = "https://sso.example.com/realms/mcp"
    verifier = gatekey.Verifier(ks, issuer=iss, audience="mcp-oauth")
    c: dict[str, Any] = {
        "exp": NOW + 300,
        "iat": NOW - 5,
        "iss": iss,
        "aud": ["account", "mcp-oauth"],
        "sub": "8d2f7c1e-5b3a-4c9d-a1e2-f3b4c5d6e7f8",
        "typ": "Bearer",
        "azp": "mcp-oauth",
        "realm_access": {"roles": ["offline_access", "uma_authorization", "mcp-user"]},
        "resource_access": {"mcp-oauth": {"roles": ["tools:call"]}, "account": {"roles": ["view-profile"]}},
        "scope": "openid profile email",
        "preferred_username": "alice",
        "email": "alice@example.com",
    }
    token = jwt.encode(c, private("issuer-a"), algorithm="RS256", headers={"kid": "kc", "typ": "JWT"})
    assert verifier.verify(token, now=NOW)["realm_access"]["roles"][-1] == "mcp-user"
