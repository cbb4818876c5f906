"""tests/validation.json, the options x tokens x outcome matrix that Rust,
C, Python and Node all run: options given as keyword arguments go through
gatekey-host's one schema, and a refusal is the host's, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ROOT

import gatekey

MATRIX: dict[str, Any] = json.loads((ROOT / "tests" / "validation.json").read_text())
CASES: list[dict[str, Any]] = MATRIX["cases"]


def headers(token: str | None) -> list[tuple[bytes, bytes]]:
    if token is None:
        return []
    return [(b"authorization", b"Bearer " + MATRIX["tokens"][token].encode())]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_validation_matrix(case: dict[str, Any]) -> None:
    keys = gatekey.KeySet.hs256(MATRIX["secret"].encode(), kid=MATRIX["kid"])
    options: dict[str, Any] = case["options"]
    expect: dict[str, Any] = case["expect"]
    policy = gatekey.Policy.header_first()
    if "config_error" in expect:
        with pytest.raises(gatekey.ConfigurationError) as info:
            gatekey.Verifier(keys, policy=policy, **options)
        e = info.value
        assert (e.option, e.name) == (expect["config_error"], expect["error"]), str(e)
        assert str(e) == f"option {e.option}: expected {e.expected}, got {e.value}"
        return
    verifier = gatekey.Verifier(keys, policy=policy, **options)
    request = headers(case["token"])
    if case.get("warm"):
        verifier.authenticate(request, now=MATRIX["now"])
    now = case.get("now", MATRIX["now"])
    if "subject" in expect:
        identity = verifier.authenticate(request, now=now)
        assert identity is not None and identity.subject == expect["subject"]
        return
    if expect.get("anonymous"):
        assert verifier.authenticate(request, now=now) is None
        return
    with pytest.raises(gatekey.AuthError) as raised:
        verifier.authenticate(request, now=now)
    error = raised.value
    assert (error.name, error.claim, error.kid, error.issuer) == (expect["error"], expect["claim"], expect["kid"], expect["issuer"])
    assert error.status == expect["status"]
    refusal = error.refusal
    assert refusal is not None
    assert (refusal.status, refusal.www_authenticate, refusal.body) == (expect["status"], expect["www_authenticate"], expect["body"].encode())
    assert error.www_authenticate == expect["www_authenticate"]
    assert str(error) == json.loads(expect["body"])["error_description"]
    again = verifier.refusal(error)
    assert (again.status, again.www_authenticate, again.body) == (refusal.status, refusal.www_authenticate, refusal.body)


def test_every_case_is_one_kind() -> None:
    kinds = {next(k for k in ("subject", "anonymous", "config_error", "error") if k in c["expect"]) for c in CASES}
    assert kinds == {"subject", "anonymous", "config_error", "error"}
