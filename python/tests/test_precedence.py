"""The shared precedence matrix (tests/precedence.json), through
``Verifier.authenticate`` with real signed tokens, and through ``resolve``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import NOW, ROOT, claims, es256

import gatekey

CASES = json.loads((ROOT / "tests" / "precedence.json").read_text())["cases"]
PRESETS = ["header_first", "cookie_first", "strict", "agree"]
TOKEN_A = es256(claims("alice"))
TOKEN_B = es256(claims("bob"))


def fill(text: str) -> str:
    return text.replace("{A}", TOKEN_A).replace("{B}", TOKEN_B)


def policy(preset: str, options: dict[str, Any] | None) -> gatekey.Policy:
    if preset == "strict":
        return gatekey.Policy.strict()
    kw: dict[str, Any] = {}
    for key, value in (options or {}).items():
        kw[key] = tuple(value) if key == "basic" else value
    if preset == "agree":
        return gatekey.Policy.header_first(conflict="agree", **kw)
    return getattr(gatekey.Policy, preset)(**kw)  # type: ignore[no-any-return]


PARAMS = [
    pytest.param(case, preset, id=f"{case['name']}-{preset}")
    for case in CASES
    for preset in PRESETS
    if preset in case["expect"]
]


def request(case: dict[str, Any]) -> tuple[list[tuple[str, str]], str | None, str | None]:
    headers = [(n, fill(v)) for n, v in case["headers"]]
    query = fill(case["query"]) if case.get("query") is not None else None
    token = fill(case["token"]) if case.get("token") is not None else None
    return headers, query, token


@pytest.mark.parametrize(("case", "preset"), PARAMS)
def test_authenticate(case: dict[str, Any], preset: str, keys: gatekey.KeySet) -> None:
    expect = case["expect"][preset]
    headers, query, token = request(case)
    verifier = gatekey.Verifier(keys, policy=policy(preset, case.get("policy")), audience="mcp")
    if "error" in expect:
        with pytest.raises(gatekey.AuthError) as info:
            verifier.authenticate(headers, query=query, token=token, now=NOW)
        assert info.value.name == expect["error"]
        return
    if expect["source"] is None:
        with pytest.raises(gatekey.MissingCredential) as missing:
            verifier.authenticate(headers, query=query, token=token, now=NOW)
        assert missing.value.status == 401
        assert missing.value.www_authenticate == "Bearer"
        anonymous = gatekey.Verifier(keys, policy=policy(preset, case.get("policy")), required=False)
        assert anonymous.authenticate(headers, query=query, token=token, now=NOW) is None
        return
    identity = verifier.authenticate(headers, query=query, token=token, now=NOW)
    assert identity is not None
    assert identity.source == expect["source"]
    assert identity.shadowed == expect["shadowed"]
    assert identity.drift == expect["drift"]
    assert [list(s) for s in identity.skipped] == expect["skipped"]
    if identity.source in ("basic", "proxy"):
        assert identity.claims == {} and identity.token is None
    else:
        assert identity.token in (TOKEN_A, TOKEN_B)
        assert identity.subject == ("alice" if identity.token == TOKEN_A else "bob")
        assert identity.claims["sub"] == identity.subject


@pytest.mark.parametrize(("case", "preset"), PARAMS)
def test_resolve_with_asgi_headers(case: dict[str, Any], preset: str) -> None:
    """The same rows with ASGI's ``list[tuple[bytes, bytes]]`` and ``resolve``."""
    expect = case["expect"][preset]
    headers, query, token = request(case)
    raw = [(n.lower().encode(), v.encode()) for n, v in headers]
    p = policy(preset, case.get("policy"))
    if "error" in expect:
        with pytest.raises(gatekey.AuthError) as info:
            gatekey.resolve(raw, p, query=query, token=token)
        assert info.value.name == expect["error"]
        return
    r = gatekey.resolve(raw, p, query=query, token=token)
    assert r.source == expect["source"]
    assert r.shadowed == expect["shadowed"]
    assert r.drift == expect["drift"]


def test_matrix_covers_every_preset_and_source() -> None:
    sources = {c["expect"][p].get("source") for c in CASES for p in PRESETS if p in c["expect"]}
    assert {"bearer", "cookie", "basic", "proxy", "explicit", None} <= sources
    assert len(PARAMS) >= 4 * 20
