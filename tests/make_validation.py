#!/usr/bin/env python3
"""Writes tests/validation.json: the options x tokens x outcome matrix that
the Rust, C, Python and Node suites all run (`python3 tests/make_validation.py`).

Tokens are HS256, signed here with the standard library. Expected answers
(status, WWW-Authenticate, body) are written from the documented formats
(host/src/refusal.rs, core/src/challenge.rs), not from gatekey's output, so
the matrix checks the implementation against its specification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

NOW = 1_750_000_000
SECRET = "validation-matrix-secret-0123456789abcdef"
KID = "k1"
REALM = "mcp"
METADATA = "https://mcp.example/.well-known/oauth-protected-resource"

MESSAGES = {
    "missing_credential": "the request carries no credential",
    "expired": "the token has expired",
    "not_yet_valid": "the token is not valid yet",
    "issued_in_future": "the token was issued in the future",
    "wrong_issuer": "the token's issuer is not trusted",
    "wrong_audience": "the token's audience does not include this service",
    "missing_claim": "the token lacks a required claim",
    "insufficient_scope": "the token lacks a required scope",
    "wrong_authorized_party": "the token's azp or client_id is not an allowed client",
    "wrong_claim_value": "a claim does not hold the required value",
    "unknown_key": "no key matches the token's kid",
    "wrong_type": "the token header typ is not the required one",
    "bad_signature": "the signature does not verify",
    "invalid_claim": "a registered claim has the wrong type",
    "token_too_large": "the token is larger than allowed",
    "header_too_large": "the token header is longer than allowed",
    "too_many_members": "a JSON object in the token has too many members",
}
HTTP = {
    "missing_credential": (401, None),
    "insufficient_scope": (403, "insufficient_scope"),
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims: dict, *, kid: str | None = KID, typ: str = "JWT", secret: str = SECRET, extra: dict | None = None) -> str:
    header = {"alg": "HS256", "typ": typ, **(extra or {})}
    if kid is not None:
        header["kid"] = kid
    signing_input = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + b64(
        json.dumps(claims, separators=(",", ":")).encode()
    )
    mac = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


def claims(**extra) -> dict:
    base = {"sub": "alice", "iss": "https://idp.example", "aud": "mcp", "exp": NOW + 600, "iat": NOW - 10}
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def challenge(reason: str, options: dict) -> str:
    params = []
    if "realm" in options:
        params.append(("realm", options["realm"]))
    status, code = HTTP.get(reason, (401, "invalid_token"))
    if code:
        params.append(("error", code))
        params.append(("error_description", MESSAGES[reason]))
    if reason == "insufficient_scope" and options.get("scopes"):
        scopes = options["scopes"]
        params.append(("scope", scopes if isinstance(scopes, str) else " ".join(scopes)))
    if "resource_metadata" in options:
        params.append(("resource_metadata", options["resource_metadata"]))
    return "Bearer" + ("" if not params else " " + ", ".join(f'{n}="{quoted(v)}"' for n, v in params))


def refusal(reason: str, options: dict, *, claim=None, kid=None, issuer=None) -> dict:
    status, code = HTTP.get(reason, (401, "invalid_token"))
    description = MESSAGES[reason]
    if claim is not None:
        description += f": {claim}"
    elif kid is not None:
        description += f": kid {kid}"
    elif issuer is not None:
        description += f": {issuer}"
    body = {"error": code or "unauthorized", "error_description": description, "reason": reason}
    for name, value in (("claim", claim), ("kid", kid), ("issuer", issuer)):
        if value is not None:
            body[name] = value
    return {
        "error": reason,
        "claim": claim,
        "kid": kid,
        "issuer": issuer,
        "status": status,
        "www_authenticate": challenge(reason, options),
        "body": json.dumps(body, separators=(",", ":"), ensure_ascii=False),
    }


TOKENS = {
    "alice": sign(claims()),
    "expired": sign(claims(exp=NOW - 30)),
    "with_jti": sign(claims(jti="t-1")),
    "other_audience": sign(claims(aud="billing")),
    "other_issuer": sign(claims(iss="https://evil.example")),
    "scope_read": sign(claims(scope="read")),
    "scope_read_write": sign(claims(scope="read write")),
    "scp_array": sign(claims(scp=["read", "write"])),
    "scope_tab": sign(claims(scope="read\twrite")),
    "azp_other": sign(claims(azp="other-app")),
    "azp_app": sign(claims(azp="mcp-app")),
    "roles_user": sign(claims(realm_access={"roles": ["offline", "mcp-user"]})),
    "roles_other": sign(claims(realm_access={"roles": ["offline"]})),
    "unknown_kid": sign(claims(), kid="nope"),
    "typ_at_jwt": sign(claims(), typ="at+jwt"),
    "bad_signature": sign(claims(), secret=SECRET + "x"),
    "exp_string": sign(claims(exp=str(NOW + 600))),
    "big": sign(claims(groups=[f"group-{i:05d}" for i in range(760)])),
    "header_20_members": sign(claims(), extra={f"x{i}": i for i in range(17)}),
    "header_3000_bytes": sign(claims(), extra={"x5c": ["A" * 3000]}),
}


def ok(subject: str | None = "alice") -> dict:
    return {"subject": subject}


def case(name: str, options: dict, token: str | None, expect: dict, **extra) -> dict:
    out = {"name": name, "options": options, "token": token, "expect": expect}
    out.update(extra)
    return out


def config(option: str, error: str = "invalid_config") -> dict:
    return {"config_error": option, "error": error}


A = {"audiences": "mcp"}
cases = [
    case("valid token", A, "alice", ok()),
    case("no audience configured: a token with aud is refused (RFC 7519 4.1.3)", {}, "alice",
         refusal("wrong_audience", {}, claim="aud")),
    case("expired", A, "expired", refusal("expired", A, claim="exp")),
    case("expired within leeway", {**A, "leeway": 60}, "expired", ok()),
    case("required jti missing", {**A, "require": ["exp", "jti"]}, "alice",
         refusal("missing_claim", A, claim="jti")),
    case("required jti present", {**A, "require": ["exp", "jti"]}, "with_jti", ok()),
    case("other audience", A, "other_audience", refusal("wrong_audience", A, claim="aud")),
    case("audience alias, list form", {"audience": ["billing", "mcp"]}, "other_audience", ok()),
    case("other issuer", {**A, "issuers": ["https://idp.example"]}, "other_issuer",
         refusal("wrong_issuer", A, issuer="https://evil.example")),
    case("trusted issuer", {**A, "issuer": "https://idp.example"}, "alice", ok()),
    case("scopes all required, one missing", {**A, "scopes": "read write"}, "scope_read",
         refusal("insufficient_scope", {**A, "scopes": "read write"}, claim="write")),
    case("scopes all granted", {**A, "scopes": ["read", "write"]}, "scope_read_write", ok()),
    case("scp array grants scopes", {**A, "scopes": ["write"]}, "scp_array", ok()),
    case("scope split on spaces only (RFC 6749 3.3)", {**A, "scope": "write"}, "scope_tab",
         refusal("insufficient_scope", {**A, "scopes": "write"}, claim="write")),
    case("authorized party refused", {**A, "authorized_parties": ["mcp-app"]}, "azp_other",
         refusal("wrong_authorized_party", A, claim="azp")),
    case("authorized party missing", {**A, "azp": "mcp-app"}, "alice",
         refusal("missing_claim", A, claim="azp")),
    case("authorized party accepted", {**A, "authorized_parties": "mcp-app"}, "azp_app", ok()),
    case("claim value by path held", {**A, "claims": {"realm_access.roles": "mcp-user"}}, "roles_user", ok()),
    case("claim value by path not held", {**A, "claims": {"realm_access.roles": "mcp-user"}}, "roles_other",
         refusal("wrong_claim_value", A, claim="realm_access.roles")),
    case("claim value by path absent", {**A, "claims": {"realm_access.roles": ["mcp-user"]}}, "alice",
         refusal("missing_claim", A, claim="realm_access.roles")),
    case("unknown kid named", A, "unknown_kid", refusal("unknown_key", A, kid="nope")),
    case("typ required", {**A, "typ": "at+jwt"}, "alice", refusal("wrong_type", A)),
    case("typ held", {**A, "typ": "at+jwt"}, "typ_at_jwt", ok()),
    case("bad signature", A, "bad_signature", refusal("bad_signature", A)),
    case("registered claim of the wrong type", A, "exp_string", refusal("invalid_claim", A, claim="exp")),
    case("a token filling most of a 16 KiB field", A, "big", ok()),
    case("no credential", {**A, "realm": REALM, "resource_metadata": METADATA}, None,
         refusal("missing_credential", {"realm": REALM, "resource_metadata": METADATA})),
    case("no credential, not required", {**A, "required": False}, None, {"anonymous": True}),
    case("challenge carries realm and metadata", {**A, "realm": REALM, "resource_metadata": METADATA}, "expired",
         refusal("expired", {"realm": REALM, "resource_metadata": METADATA}, claim="exp")),
    case("now 0 is the epoch, not the clock", A, "alice", refusal("issued_in_future", A, claim="iat"), now=0),
    case("a JOSE header of 20 members (default limit 16)", A, "header_20_members", refusal("too_many_members", A)),
    case("a JOSE header of 20 members, limit raised", {**A, "max_header_members": 32}, "header_20_members", ok()),
    case("a 3 KB JOSE header (default limit 2048)", A, "header_3000_bytes", refusal("header_too_large", A)),
    case("a 3 KB JOSE header, limit raised", {**A, "max_header_len": 4096}, "header_3000_bytes", ok()),
    case("a token over max_token_len", {**A, "max_token_len": 100}, "alice", refusal("token_too_large", A)),
    case("cache on: same verdicts", {**A, "cache_size": 64}, "alice", ok()),
    case("cache on: expired after a hit", {**A, "cache_size": 64}, "alice",
         refusal("expired", A, claim="exp"), now=NOW + 601, warm=True),
    # Configuration errors: every binding refuses them when the verifier is built.
    case("leeway negative", {"leeway": -1}, None, config("leeway")),
    case("leeway as a string", {"leeway": "30"}, None, config("leeway")),
    case("leeway fractional", {"leeway": 1.5}, None, config("leeway")),
    case("leeway above the bound", {"leeway": 3601}, None, config("leeway")),
    case("require with a number", {"require": ["exp", 5]}, None, config("require")),
    case("require name too long", {"require": ["x" * 33]}, None, config("require", "config_too_long")),
    case("cache_size negative", {"cache_size": -1}, None, config("cache_size")),
    case("cache_size above the bound", {"cache_size": 65537}, None, config("cache_size")),
    case("issuers not strings", {"issuers": [1]}, None, config("issuers")),
    case("audiences: five", {"audiences": ["a", "b", "c", "d", "e"]}, None, config("audiences", "config_list_full")),
    case("audience empty", {"audience": ""}, None, config("audiences")),
    case("realm not ASCII", {"realm": "caf\u00e9"}, None, config("realm")),
    case("resource_metadata not a URL", {"resource_metadata": "ftp://x"}, None, config("resource_metadata")),
    case("required not a boolean", {"required": "yes"}, None, config("required")),
    case("claims path with an empty member", {"claims": {"a..b": "x"}}, None, config("claims")),
    case("claims not a mapping", {"claims": ["realm_access.roles"]}, None, config("claims")),
    case("typ empty", {"typ": ""}, None, config("typ")),
    case("scopes with a number", {"scopes": ["read", 7]}, None, config("scopes")),
    case("max_header_members zero", {"max_header_members": 0}, None, config("max_header_members")),
    case("max_header_members above 256", {"max_header_members": 257}, None, config("max_header_members")),
    case("max_token_len above the field limit", {"max_token_len": 16385}, None, config("max_token_len")),
    case("unknown option", {"audiance": "mcp"}, None, config("options")),
]

doc = {
    "about": (
        "The options x tokens x outcome matrix every language runs (Rust, C, Python, Node); "
        "written by tests/make_validation.py. Each case builds a verifier trusting the HS256 "
        "'secret' under 'kid' with the header_first policy and 'options' (snake_case names; "
        "Node passes them in camelCase), then authenticates 'Authorization: Bearer <tokens[token]>' "
        "(no header when token is null) at 'now' (the case's, else the top-level). 'warm': "
        "authenticate once at the top-level now first. Expect 'subject' (success), 'anonymous' "
        "(no identity), an error with its named claim/kid/issuer, HTTP status, WWW-Authenticate "
        "and JSON body, or 'config_error': the option a configuration error names."
    ),
    "now": NOW,
    "secret": SECRET,
    "kid": KID,
    "tokens": TOKENS,
    "cases": cases,
}

path = Path(__file__).with_name("validation.json")
path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
print(f"{path}: {len(cases)} cases")


# --- The C suite's copy: every case whose options C's typed setters can
# express (gk_options_set_str/_add_str/_set_int/_set_bool/_add_claim), as a
# header of setter calls.


def c_string(value) -> str:
    if value is None:
        return "NULL"
    return json.dumps(value, ensure_ascii=True)


def c_ops(options: dict) -> list[str] | None:
    ops = []
    for name, value in options.items():
        if isinstance(value, bool):
            ops.append(f"{{GK_OP_SET_BOOL, {c_string(name)}, NULL, NULL, {int(value)}}}")
        elif isinstance(value, int):
            ops.append(f"{{GK_OP_SET_INT, {c_string(name)}, NULL, NULL, {value}}}")
        elif isinstance(value, str):
            ops.append(f"{{GK_OP_SET_STR, {c_string(name)}, {c_string(value)}, NULL, 0}}")
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            for v in value:
                ops.append(f"{{GK_OP_ADD_STR, {c_string(name)}, {c_string(v)}, NULL, 0}}")
            if not value:
                return None
        elif isinstance(value, dict) and name == "claims":
            for path, wanted in value.items():
                for v in [wanted] if isinstance(wanted, str) else wanted:
                    ops.append(f"{{GK_OP_ADD_CLAIM, NULL, {c_string(path)}, {c_string(v)}, 0}}")
        else:
            return None  # a float, a mixed list: no C setter takes it
    return ops


def c_case(c: dict) -> str | None:
    ops = c_ops(c["options"])
    if ops is None:
        return None
    expect = c["expect"]
    fields = [
        c_string(c["name"]),
        "{" + ", ".join(ops or ["{GK_OP_END, NULL, NULL, NULL, 0}"]) + "}", str(len(ops)),
        c_string(TOKENS[c["token"]] if c["token"] else None),
        str(c.get("now", NOW)), "1" if c.get("warm") else "0",
        c_string(expect.get("subject")), "1" if expect.get("anonymous") else "0",
        c_string(expect.get("error")), c_string(expect.get("config_error")),
        c_string(expect.get("claim")), c_string(expect.get("kid")), c_string(expect.get("issuer")),
        str(expect.get("status", 0)), c_string(expect.get("www_authenticate")), c_string(expect.get("body")),
    ]
    return "    {" + ", ".join(fields) + "},"


rows = [r for r in (c_case(c) for c in cases) if r]
header = Path(__file__).parent.parent / "ffi" / "tests" / "c" / "validation_cases.h"
header.write_text(
    "/* Generated by tests/make_validation.py from tests/validation.json: every\n"
    " * case whose options C's typed gk_options setters can express. Do not edit. */\n"
    "#include <stddef.h>\n#include <stdint.h>\n\n"
    "typedef enum { GK_OP_END, GK_OP_SET_STR, GK_OP_ADD_STR, GK_OP_SET_INT, GK_OP_SET_BOOL, GK_OP_ADD_CLAIM } gk_op_kind;\n\n"
    "typedef struct {\n"
    "    gk_op_kind kind;\n"
    "    const char *name;\n"
    "    const char *text;  /* the string, or the claim path */\n"
    "    const char *value; /* the claim value */\n"
    "    int64_t number;\n"
    "} gk_option_op;\n\n"
    "typedef struct {\n"
    "    const char *name;\n"
    "    gk_option_op ops[8]; size_t n_ops;\n"
    "    const char *token; int64_t now; int warm;\n"
    "    const char *subject; int anonymous; const char *error; const char *config_error;\n"
    "    const char *claim; const char *kid; const char *issuer;\n"
    "    int status; const char *www_authenticate; const char *body;\n"
    "} gk_validation_case;\n\n"
    f"#define GK_VALIDATION_SECRET {c_string(SECRET)}\n"
    f"#define GK_VALIDATION_KID {c_string(KID)}\n"
    f"#define GK_VALIDATION_CASES {len(rows)}\n\n"
    "static const gk_validation_case validation_cases[GK_VALIDATION_CASES] = {\n"
    + "\n".join(rows)
    + "\n};\n"
)
print(f"{header}: {len(rows)} of {len(cases)} cases")
