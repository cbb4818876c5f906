"""``Verifier.verify`` against PyJWT (+ cryptography) on valid, mutated and
random tokens: same accept/reject, same claims; and the exception mapping."""

from __future__ import annotations

import base64
import json
import random
import time
from typing import Any, Callable

import jwt
import pytest
from conftest import EC_KEY, EC_PUBLIC_PEM, NOW, SECRET, claims, es256, es256_jwks, hs256

import gatekey
import gatekey._gatekey

LIVE = int(time.time())


def live_claims(sub: str) -> dict[str, Any]:
    return claims(sub, exp=LIVE + 3600, iat=LIVE - 60)


def pyjwt_es256(token: str) -> dict[str, Any]:
    return jwt.decode(token, EC_KEY.public_key(), algorithms=["ES256"], audience="mcp", options={"require": ["exp"]})


def pyjwt_hs256(token: str) -> dict[str, Any]:
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience="mcp", options={"require": ["exp"]})


def canonical(token: str) -> bool:
    """Whether every segment is canonical unpadded base64url (PyJWT also
    accepts non-zero trailing bits; gatekey refuses them, RFC 7515 §2)."""
    for seg in token.split("."):
        try:
            raw = base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))
        except ValueError:
            return True  # invalid for both
        if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != seg:
            return False
    return True


def mutations(token: str, rng: random.Random, count: int) -> list[str]:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    out = []
    for _ in range(count):
        i = rng.randrange(len(token))
        out.append(token[:i] + rng.choice(alphabet.replace(token[i], "")) + token[i + 1 :])
    out += [token[:-1], token + "A", token.replace(".", "..", 1), token.split(".")[0] + "..", ""]
    return out


def random_tokens(rng: random.Random, count: int) -> list[str]:
    def seg() -> str:
        return base64.urlsafe_b64encode(rng.randbytes(rng.randrange(1, 80))).rstrip(b"=").decode()

    def json_seg(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    out = [".".join(seg() for _ in range(rng.choice([1, 2, 3, 3, 3, 5]))) for _ in range(count)]
    out += [f"{json_seg({'alg': 'none'})}.{json_seg(claims())}.", f"{json_seg({'alg': 'ES256'})}.{json_seg(claims())}.{seg()}"]
    return out


def compare(verifier: gatekey.Verifier, peer: Callable[[str], dict[str, Any]], token: str) -> str:
    try:
        expected: dict[str, Any] | None = peer(token)
    except jwt.PyJWTError:
        expected = None
    try:
        got: dict[str, Any] | None = verifier.verify(token)
        error = None
    except gatekey.AuthError as e:
        got, error = None, e
    if expected is not None and got is None and error is not None and error.name == "invalid_base64":
        assert not canonical(token), token
        return "non-canonical"
    assert (got is None) == (expected is None), (token, error)
    assert got == expected
    return "accept" if got is not None else "reject"


@pytest.mark.parametrize("alg", ["ES256", "HS256"])
def test_differential_against_pyjwt(alg: str) -> None:
    rng = random.Random(20250614)
    if alg == "ES256":
        verifier = gatekey.Verifier(gatekey.KeySet.from_pem(EC_PUBLIC_PEM, kid="ec1"), audience="mcp")
        mint: Callable[[dict[str, Any]], str] = es256
        peer = pyjwt_es256
    else:
        verifier = gatekey.Verifier(gatekey.KeySet.hs256(SECRET), audience="mcp")
        mint, peer = hs256, pyjwt_hs256
    valid = [mint(live_claims(f"user{i}")) for i in range(20)]
    valid.append(mint({"sub": "ünïcødé \u2603", "aud": "mcp", "exp": LIVE + 60, "nested": {"a": [1, 2.5, None, True]}}))
    expired = [mint(claims("old", exp=LIVE - 10))]
    no_exp = [mint({"sub": "forever", "aud": "mcp"})]
    tokens = valid + expired + no_exp + random_tokens(rng, 100)
    for t in valid:
        tokens += mutations(t, rng, 12)
    outcomes: dict[str, int] = {}
    for t in tokens:
        o = compare(verifier, peer, t)
        outcomes[o] = outcomes.get(o, 0) + 1
    assert outcomes["accept"] == len(valid)
    assert outcomes["reject"] > 300


def test_claims_are_the_payload(keys: gatekey.KeySet) -> None:
    verifier = gatekey.Verifier(keys, issuer="https://idp.example", audience="mcp")
    c = claims("carol", extra={"roles": ["admin"], "n": 1.5})
    assert verifier.verify(es256(c), now=NOW) == c


@pytest.mark.parametrize(
    ("token", "cls", "name", "status"),
    [
        (lambda: es256(claims(exp=NOW - 1)), gatekey.ExpiredToken, "expired", 401),
        (lambda: es256(claims(), kid="nope"), gatekey.InvalidToken, "unknown_key", 401),
        (lambda: es256(claims())[:-4] + "AAAA", gatekey.InvalidToken, "bad_signature", 401),
        (lambda: es256(claims(aud="other")), gatekey.InvalidToken, "wrong_audience", 401),
        (lambda: "not-a-token", gatekey.InvalidToken, "malformed_token", 401),
    ],
)
def test_exceptions(keys: gatekey.KeySet, token: Callable[[], str], cls: type, name: str, status: int) -> None:
    verifier = gatekey.Verifier(keys, audience="mcp")
    with pytest.raises(cls) as info:
        verifier.verify(token(), now=NOW)
    e = info.value
    assert isinstance(e, gatekey.AuthError)
    assert (e.name, e.status, e.error) == (name, status, "invalid_token")
    assert e.code == next(code for code, n, _, _ in gatekey.errors() if n == name)
    assert e.www_authenticate.startswith('Bearer error="invalid_token", error_description="')


def test_error_catalogue_and_challenge() -> None:
    codes = {code for code, *_ in gatekey.errors()}
    assert {100, 200, 304, 400} <= codes
    assert gatekey.challenge() == "Bearer"
    assert gatekey.challenge(100, realm="mcp") == 'Bearer realm="mcp"'
    meta = "https://mcp.example/.well-known/oauth-protected-resource"
    assert gatekey.challenge(400, resource_metadata=meta).endswith(f'resource_metadata="{meta}"')
    with pytest.raises(gatekey.ConfigurationError):
        gatekey.KeySet.hs256(b"short")
    with pytest.raises(ValueError):
        gatekey.challenge(9999)


def test_keyset_forms() -> None:
    jwks = es256_jwks()
    for form in (jwks, json.dumps(jwks), json.dumps(jwks).encode()):
        ks = gatekey.KeySet.from_jwks(form)
        assert len(ks) == 1 and ks.kids == ["ec1"] and "ec1" in ks and ks.algorithms == ["ES256"]
    both = gatekey.KeySet.from_jwks(jwks) | gatekey.KeySet.hs256(SECRET, kid="hs")
    assert len(both) == 2 and both.algorithms == ["ES256", "HS256"]
    with pytest.raises(gatekey.ConfigurationError):
        gatekey.KeySet.from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")


def test_header_forms(keys: gatekey.KeySet) -> None:
    token = es256(claims("dora"))
    verifier = gatekey.Verifier(keys, audience="mcp")
    forms: list[Any] = [
        {"authorization": f"Bearer {token}"},
        [("Authorization", f"Bearer {token}")],
        [(b"authorization", f"Bearer {token}".encode())],
        iter([("authorization", f"Bearer {token}")]),
    ]
    for headers in forms:
        identity = verifier.authenticate(headers, now=NOW)
        assert identity is not None and identity.subject == "dora"
    with pytest.raises(TypeError):
        verifier.authenticate([("authorization",)], now=NOW)
    with pytest.raises(TypeError):
        verifier.authenticate([(1, 2)], now=NOW)


def test_options_go_through_the_host_schema(keys: gatekey.KeySet) -> None:
    for options, option in (
        ({"leeway": True}, "leeway"),  # a bool is not a number of seconds
        ({"leeway": 2**200}, "leeway"),
        ({"audience": b"mcp"}, "audiences"),
        ({"claims": {1: "x"}}, "claims"),
        ({"scope": object()}, "scopes"),
        ({"nope": 1}, "options"),
    ):
        with pytest.raises(gatekey.ConfigurationError) as info:
            gatekey.Verifier(keys, **options)
        assert info.value.option == option, options
        assert info.value.expected and str(info.value).startswith(f"option {option}: expected ")
    v = gatekey.Verifier(keys, audiences=("mcp",), azp=["gw"], client_id="gw", claims={"jti": ["j-alice"]}, scopes="tools:list")
    assert v.verify(es256(claims(azp="gw")), now=NOW)["sub"] == "alice"


def test_now_is_unix_seconds_from_the_epoch(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp")
    with pytest.raises(gatekey.AuthError) as info:
        v.verify(es256(claims()), now=0)  # the epoch, not the clock
    assert info.value.name == "issued_in_future" and info.value.claim == "iat"
    for now in (-1, 1.5, "1750000000", NOW * 1000, True):
        with pytest.raises(gatekey.ConfigurationError) as bad:
            v.verify(es256(claims()), now=now)  # type: ignore[arg-type]
        assert bad.value.option == "now"


def test_failures_name_what_they_are_about(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp", realm="mcp")
    with pytest.raises(gatekey.InvalidToken) as info:
        v.verify(es256(claims(), kid="nope"), now=NOW)
    e = info.value
    assert (e.kid, e.claim, e.issuer) == ("nope", None, None)
    assert str(e) == "no key matches the token's kid: kid nope"
    assert e.refusal is not None and e.refusal.status == 401
    assert e.www_authenticate == e.refusal.www_authenticate and e.www_authenticate.startswith('Bearer realm="mcp", ')
    body = json.loads(e.refusal.body)
    assert body == {"error": "invalid_token", "error_description": str(e), "reason": "unknown_key", "kid": "nope"}
    assert dict(e.refusal.headers)[b"content-length"] == str(len(e.refusal.body)).encode()
    other = v.refusal(e, realm="other", resource_metadata="https://mcp.example/meta")
    assert other.www_authenticate is not None and other.www_authenticate.startswith('Bearer realm="other", ')
    assert other.body == e.refusal.body
    with pytest.raises(gatekey.ConfigurationError) as bad:
        v.refusal(e, resource_metadata="ftp://x")
    assert bad.value.option == "resource_metadata"


def test_wrong_claim_value_is_an_invalid_token(keys: gatekey.KeySet) -> None:
    assert (410, "wrong_claim_value", 401) in [(c, n, s) for c, n, s, _ in gatekey.errors()]
    v = gatekey.Verifier(keys, audience="mcp", claims={"client_id": "other"})
    with pytest.raises(gatekey.InvalidToken) as info:
        v.verify(es256(claims()), now=NOW)
    assert (info.value.name, info.value.code, info.value.claim) == ("wrong_claim_value", 410, "client_id")
    with pytest.raises(gatekey.InvalidToken):
        gatekey._gatekey.raise_error(410)


def test_scopes_by_the_core_rule(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, audience="mcp")
    for extra, scopes in (
        ({}, ["tools:list", "tools:call"]),
        ({"scope": "a  b\tc"}, ["a", "b\tc"]),  # single spaces only (RFC 6749 3.3)
        ({"scope": None, "scp": ["x", 1, "y"]}, ["x", "y"]),
        ({"scope": None, "scp": "x y"}, ["x", "y"]),
    ):
        c = claims(**extra)
        if extra.get("scope", "") is None:
            del c["scope"]
        got, granted = v.verify_with_scopes(es256(c), now=NOW)
        assert got == c and granted == scopes, extra


def test_resolve_by_the_verifier_policy(keys: gatekey.KeySet) -> None:
    v = gatekey.Verifier(keys, policy=gatekey.Policy.strict())
    r = v.resolve({"authorization": "Bearer abc"})
    assert (r.source, r.credential) == ("bearer", "abc")
    with pytest.raises(gatekey.AuthError) as info:
        v.resolve([("authorization", "Bearer abc"), ("authorization", "Bearer def")])
    assert info.value.refusal is not None and info.value.refusal.status == info.value.status == 400


def test_headers_as_lists_and_lone_surrogates(keys: gatekey.KeySet) -> None:
    """security-bindings.md #16: pairs as lists (``json.loads`` gives them)
    are pairs; a lone surrogate in an unrelated header is ignored, and in a
    credential header an AuthError, never a UnicodeEncodeError."""
    v = gatekey.Verifier(keys, audience="mcp")
    token = es256(live_claims("alice"))
    assert v.authenticate([["Authorization", "Bearer " + token]]).subject == "alice"
    mixed = [("X-Other", "\ud800"), ["Authorization", "Bearer " + token]]
    assert v.authenticate(mixed).subject == "alice"
    with pytest.raises(gatekey.AuthError) as info:
        v.authenticate([("Authorization", "Bearer \ud800")])
    assert info.value.name == "malformed_bearer"
    with pytest.raises(TypeError):
        v.authenticate([["Authorization"]])


def test_a_jwks_of_64_keys_loads_and_65_is_full() -> None:
    """Issue 14: one key capacity in every language (gatekey_host::KEYS)."""
    secrets = [f"jwks-capacity-secret-{i:04d}-0123456789abcdef".encode() for i in range(65)]
    jwk = lambda i: {"kty": "oct", "alg": "HS256", "kid": f"k{i}", "k": base64.urlsafe_b64encode(secrets[i]).rstrip(b"=").decode()}  # noqa: E731
    keys = gatekey.KeySet.from_jwks({"keys": [jwk(i) for i in range(64)]})
    assert len(keys) == 64
    token = jwt.encode({"sub": "k63", "exp": LIVE + 60}, secrets[63], algorithm="HS256", headers={"kid": "k63"})
    assert gatekey.Verifier(keys).verify(token)["sub"] == "k63"
    with pytest.raises(gatekey.ConfigurationError) as info:
        gatekey.KeySet.from_jwks({"keys": [jwk(i) for i in range(65)]})
    assert info.value.name == "key_set_full"
