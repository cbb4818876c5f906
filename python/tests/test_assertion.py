"""``AssertionChecker.verify_assertion``: the application's check of the
identity assertion gatekey-authz sets (gatekey_host::assertion), with
assertions minted here byte for byte as the server makes them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

import gatekey

KEY = b"deployment-key-for-the-orders-service"
NOW = 1_800_000_000
HEADER = {"alg": "HS256", "typ": "gatekey-assertion+jwt"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(claims: dict[str, object], *, key: bytes = KEY, header: dict[str, str] = HEADER) -> str:
    head = b64(json.dumps(header, separators=(",", ":")).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def claims(credential: bytes = b"tok", **over: object) -> dict[str, object]:
    c: dict[str, object] = {
        "aud": "orders",
        "iat": NOW,
        "exp": NOW + 30,
        "sub": "alice",
        "src": "bearer",
        "cnf": {"cred#S256": b64(hashlib.sha256(credential).digest())},
    }
    c.update(over)
    return c


CHECK = gatekey.AssertionChecker(KEY, audience="orders")


def test_valid_bound_and_unbound() -> None:
    a = mint(claims())
    assert CHECK.verify_assertion(a, now=NOW) == ("alice", "bearer")
    assert CHECK.verify_assertion(a.encode(), credential="tok", now=NOW + 29) == ("alice", "bearer")


@pytest.mark.parametrize(
    ("assertion", "credential", "now", "name", "kind"),
    [
        (None, None, NOW, "missing_credential", gatekey.MissingCredential),
        ("", None, NOW, "missing_credential", gatekey.MissingCredential),
        (mint(claims(), key=b"x" * 32), None, NOW, "bad_signature", gatekey.InvalidToken),
        (mint(claims()), None, NOW + 30, "expired", gatekey.ExpiredToken),
        (mint(claims(aud="billing")), None, NOW, "wrong_audience", gatekey.InvalidToken),
        (mint(claims()), "another token", NOW, "conflicting_credentials", gatekey.CredentialConflict),
        (mint(claims(exp=NOW + 61)), None, NOW, "invalid_claim", gatekey.InvalidToken),
        (mint(claims(), header={"alg": "HS256"}), None, NOW, "wrong_type", gatekey.InvalidToken),
    ],
)
def test_refusals(
    assertion: str | None, credential: str | None, now: int, name: str, kind: type[Exception]
) -> None:
    with pytest.raises(kind) as info:
        CHECK.verify_assertion(assertion, credential=credential, now=now)
    assert isinstance(info.value, gatekey.AuthError)
    assert info.value.name == name


def test_weak_key() -> None:
    with pytest.raises(gatekey.AuthError):
        gatekey.AssertionChecker(b"short", audience="orders")
