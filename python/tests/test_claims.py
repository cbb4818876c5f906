"""Claims reach Python as `json.loads` would give them: `Verifier.verify`
builds the dict from the core's validated reader, and `Identity.claims`
does so on first access (then returns the same dict)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from conftest import NOW, SECRET

import gatekey

HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")

# Raw payloads, so that escapes and number spellings reach the verifier as written.
PAYLOADS = [
    b'{"sub":"alice","exp":%d,"roles":["a","b"],"iss":"https://idp.example"}',
    b'{"exp":%d,"n":-0,"big":123456789012345678901234567890,"neg":-9223372036854775808}',
    b'{"exp":%d,"f":1.5,"e":1e400,"E":-2.5E-3,"t":true,"x":false,"z":null}',
    b'{"exp":%d,"esc":"a\\"b\\\\c\\/d\\u00e9\\ud83d\\ude00","n\\u00e9":{"r":[1,[2,{"k":[]}]],"o":{}}}',
    b'{"exp":%d,"ctl":"\\u0000\\n\\t\\u001f\\u2028","":""}',
    b' { "exp" : %d , "spaced" : [ 1 , 2.0 ] } ',
]


def mint(payload: bytes) -> str:
    body = HEADER + b"." + base64.urlsafe_b64encode(payload).rstrip(b"=")
    sig = hmac.new(SECRET, body, hashlib.sha256).digest()
    return (body + b"." + base64.urlsafe_b64encode(sig).rstrip(b"=")).decode()


@pytest.mark.parametrize("cache_size", [0, 64])
@pytest.mark.parametrize("template", PAYLOADS)
def test_claims_equal_json_loads(template: bytes, cache_size: int) -> None:
    payload = template % (NOW + 600)
    expected = json.loads(payload)
    token = mint(payload)
    v = gatekey.Verifier(gatekey.KeySet.hs256(SECRET), cache_size=cache_size)
    for _ in range(2):  # with a cache, the second call is a hit
        got = v.verify(token, now=NOW)
        assert got == expected and repr(got) == repr(expected)
        identity = v.authenticate([(b"authorization", b"Bearer " + token.encode())], now=NOW)
        assert identity is not None
        assert identity.claims == expected and repr(identity.claims) == repr(expected)


def test_identity_claims_built_once_and_kept() -> None:
    token = mint(PAYLOADS[0] % (NOW + 600))
    v = gatekey.Verifier(gatekey.KeySet.hs256(SECRET))
    identity = v.authenticate([(b"authorization", b"Bearer " + token.encode())], now=NOW)
    assert identity is not None
    assert identity.claims is identity.claims
    assert identity.token == token and identity.subject == "alice"
    assert type(identity.claims["exp"]) is int

