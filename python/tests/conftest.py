"""Shared keys and token minting (the same test keys as core/tests/common)."""

from __future__ import annotations

import base64
import json
import pathlib
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import gatekey

SECRET = b"0123456789abcdef0123456789abcdef-gateway-secret"
NOW = 1_750_000_000
ROOT = pathlib.Path(__file__).resolve().parents[2]

EC_KEY = ec.derive_private_key(int.from_bytes(b"\x07" * 32, "big"), ec.SECP256R1())
EC_PUBLIC_PEM = EC_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def es256_jwks() -> dict[str, Any]:
    numbers = EC_KEY.public_key().public_numbers()
    return {
        "keys": [
            {
                "kty": "EC",
                "crv": "P-256",
                "kid": "ec1",
                "use": "sig",
                "alg": "ES256",
                "x": b64(numbers.x.to_bytes(32, "big")),
                "y": b64(numbers.y.to_bytes(32, "big")),
            }
        ]
    }


def claims(sub: str = "alice", **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": "https://idp.example",
        "sub": sub,
        "aud": ["mcp", "account"],
        "exp": NOW + 600,
        "iat": NOW - 10,
        "jti": f"j-{sub}",
        "scope": "tools:list tools:call",
        "client_id": "gw",
    }
    base.update(extra)
    return base


def es256(payload: dict[str, Any], kid: str | None = "ec1") -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(payload, EC_KEY, algorithm="ES256", headers=headers)


def hs256(payload: dict[str, Any], secret: bytes = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


@pytest.fixture(scope="session")
def keys() -> gatekey.KeySet:
    return gatekey.KeySet.from_jwks(es256_jwks())


@pytest.fixture(scope="session")
def precedence() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "tests" / "precedence.json").read_text())
    return data
