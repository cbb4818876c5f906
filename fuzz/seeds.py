#!/usr/bin/env python3
"""Writes the seed corpora, corpus/<target>/seed-*, from the test data:
the C tests' fixed tokens (ffi/tests/c/fixtures.h, minted with the core
tests' keys), RFC 7515's vectors, the shared precedence matrix, the attack
corpus's shapes (core/tests/attacks.rs) and JWKS documents.

Run from fuzz/ (`make fuzz-seeds`); the output is committed. A request seed
is a selector byte and `Name: value` lines (see src/lib.rs)."""

import base64
import json
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "corpus"


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


fixtures = {
    m[1]: m[2].replace('\\"', '"')
    for m in re.finditer(r'static const char GK_TEST_(\w+)\[\] =\s*"(.*?)";',
                         (ROOT / "ffi/tests/c/fixtures.h").read_text(), re.S)
}
rfc = json.loads((ROOT / "core/tests/vectors/rfc7515.json").read_text())["vectors"]
matrix = json.loads((ROOT / "tests/precedence.json").read_text())["cases"]
fuzz_jwks = (ROOT / "fuzz/src/jwks.json").read_text().strip()

A, B, HS = fixtures["TOKEN_A"], fixtures["TOKEN_B"], fixtures["TOKEN_HS"]
seeds = {t: {} for t in ["resolve", "verify", "jwks", "json", "ffi_authenticate"]}


def h(text):
    return b64(text.encode())


def seg(token, i):
    return token.split(".")[i]


def dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


# --- tokens: the verify target takes a key-set selector byte first
# (0 all keys, 1 ec1, 2 hs1, 3 rsa1, 4 RFC 7515 A.1's HMAC key).
payload_a = seg(A, 1)
tokens = {
    "es256-a": (0, A), "es256-b": (1, B), "hs256": (0, HS), "hs256-alone": (2, HS),
    "expired": (0, fixtures["TOKEN_EXPIRED"]), "bad-sig": (0, fixtures["TOKEN_BAD_SIG"]),
    "alg-none": (0, h('{"alg":"none"}') + f".{payload_a}."),
    "alg-none-sig": (0, h('{"alg":"none","kid":"ec1"}') + f".{payload_a}.AAAA"),
    "confused": (0, h('{"alg":"HS256","kid":"ec1"}') + f".{payload_a}.{b64(bytes(32))}"),
    "zero-sig": (1, f"{seg(A, 0)}.{payload_a}.{b64(bytes(64))}"),
    "short-sig": (1, f"{seg(A, 0)}.{payload_a}.{b64(bytes(63))}"),
    "crit": (0, h('{"alg":"ES256","kid":"ec1","crit":["exp"],"exp":1}') + f".{payload_a}.{seg(A, 2)}"),
    "dup-member": (0, h('{"alg":"ES256","alg":"HS256","kid":"ec1"}') + f".{payload_a}.{seg(A, 2)}"),
    "padded": (0, f"{seg(A, 0)}==.{payload_a}.{seg(A, 2)}"),
    "jwe": (0, f"{seg(A, 0)}.{payload_a}.{seg(A, 2)}.x.y"),
    "json-serialization": (0, '{"payload":"' + payload_a + '","signatures":[]}'),
    "kid-path": (0, h('{"alg":"ES256","kid":"../../etc/passwd"}') + f".{payload_a}.{seg(A, 2)}"),
    "empty-segments": (0, ".."),
}
for v in rfc:
    sel = {"HS256": 4, "RS256": 3}.get(v["alg"], 0)
    tokens["rfc7515-" + v["name"]] = (sel, v["token"])
for name, (sel, tok) in tokens.items():
    seeds["verify"][name] = bytes([sel]) + tok.encode()
    # The same tokens as request credentials.
    seeds["resolve"]["bearer-" + name] = b"\x00Authorization: Bearer " + tok.encode()
    seeds["ffi_authenticate"]["bearer-" + name] = b"\x00Authorization: Bearer " + tok.encode()

# --- JSON: the decoded headers and payloads, and edge cases.
for name, (_, tok) in tokens.items():
    parts = tok.split(".")
    for i, part in enumerate(parts[:2]):
        try:
            seeds["json"][f"{name}-{i}"] = dec(part)
        except Exception:
            pass
seeds["json"].update({
    "escapes": rb'{"a":"\u00e9\ud83d\ude00\n\"\\\/","b":[1,-0.5e10,true,false,null]}',
    "deep": b'{"a":' * 20 + b"1" + b"}" * 20,
    "numbers": b'{"a":9223372036854775807,"b":-9223372036854775808,"c":1e309,"d":0.000001}',
    "lone-surrogate": rb'{"a":"\ud800"}',
})

# --- JWKS documents.
ec = json.loads(fixtures["JWKS"])["keys"][0]
seeds["jwks"] = {
    "fixture": fixtures["JWKS"].encode(),
    "fuzz-keys": fuzz_jwks.encode(),
    "mixed": json.dumps({"keys": [ec, {"kty": "OKP", "crv": "Ed25519", "x": "AA"},
                                  {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
                                  dict(ec, use="enc", kid="enc")]}).encode(),
    "bad-point": json.dumps({"keys": [dict(ec, y=ec["x"])]}).encode(),
    "short-secret": json.dumps({"keys": [{"kty": "oct", "k": b64(b"short")}]}).encode(),
    "full": json.dumps({"keys": [dict(ec, kid=str(i)) for i in range(5)]}).encode(),
}
for v in rfc:
    seeds["jwks"]["rfc7515-" + v["name"]] = json.dumps({"keys": [v["jwk"]]}).encode()
    seeds["json"]["jwk-" + v["name"]] = json.dumps(v["jwk"]).encode()

# --- requests: the precedence matrix, each case under each selector that
# names a preset, and the options.
for case in matrix:
    text = "\n".join(f"{n}: {v}" for n, v in case["headers"]).replace("{A}", A).replace("{B}", B)
    opts = case.get("policy", {})
    bits = (0x10 if opts.get("query") else 0) | (0x20 if opts.get("basic") else 0) \
        | (0x40 if opts.get("proxy_header") else 0)
    if case.get("query"):
        text += "\n?" + case["query"].replace("{A}", A).replace("{B}", B)
    if case.get("token"):
        text += "\n!" + case["token"].replace("{A}", A).replace("{B}", B)
    name = re.sub(r"[^a-z0-9]+", "-", case["name"].lower()).strip("-")
    for sel, preset in [(0, "header-first"), (1, "cookie-first"), (2, "strict"), (8, "agree"), (0x70, "all-on")]:
        seeds["resolve"][f"{name}-{preset}"] = bytes([sel | bits]) + text.encode()
    seeds["ffi_authenticate"][name] = bytes([bits]) + text.encode()
basic = base64.b64encode(b"admin:s3cret")
seeds["resolve"].update({
    "basic": b"\x20Authorization: Basic " + basic,
    "proxy": b"\x40X-Authenticated-User: alice\nAuthorization: Bearer " + A.encode(),
    "query": b"\x10?a=1&access_token=" + A.encode() + b"&b=2",
    "split-cookies": b"\x00Cookie: a=1\ncookie: jwt_token=" + HS.encode() + b"\nCOOKIE: b=2",
    "explicit": b"\x00!" + HS.encode(),
})
seeds["ffi_authenticate"].update({
    "hs256-cookie": b"\x00Cookie: theme=dark; jwt_token=" + HS.encode(),
    "basic": b"\x20Authorization: Basic " + basic,
    "explicit": b"\x00!" + HS.encode(),
})

shutil.rmtree(OUT, ignore_errors=True)
for target, files in seeds.items():
    d = OUT / target
    d.mkdir(parents=True)
    for name, data in files.items():
        (d / f"seed-{name}").write_bytes(data)
    print(f"{target}: {len(files)} seeds")
