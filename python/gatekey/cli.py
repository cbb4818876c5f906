"""The ``gatekey`` command: ``explain``, ``token``, ``demo``."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time
from typing import Any, Optional, Sequence

import gatekey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_hs256(claims: dict[str, Any], secret: bytes, kid: Optional[str] = None) -> str:
    """A signed HS256 token, for local development and tests."""
    header: dict[str, Any] = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{_b64(json.dumps(header, separators=(',', ':')).encode())}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def mint_es256(claims: dict[str, Any], private_pem: bytes, kid: Optional[str] = None) -> str:
    """A signed ES256 token (needs the ``cryptography`` package)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SystemExit("the key is not an EC private key")
    header: dict[str, Any] = {"alg": "ES256", "typ": "JWT", **({"kid": kid} if kid else {})}
    signing_input = f"{_b64(json.dumps(header, separators=(',', ':')).encode())}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


#: The presets ``explain`` decides side by side.
PRESETS = ("header_first", "cookie_first", "strict")

#: Exit codes of ``explain`` (documented in the Python README).
ACCEPTED, REFUSED, USAGE, CONFIGURATION = 0, 1, 2, 3

#: The version of ``explain --json``'s document.
EXPLAIN_SCHEMA = 1

_Fields = list[tuple[bytes, bytes]]


class UsageError(Exception):
    """A request or an argument ``explain`` cannot read (exit 2)."""


def _policy(name: str, args: argparse.Namespace) -> gatekey.Policy:
    if name == "strict":
        return gatekey.Policy.strict()
    kw: dict[str, Any] = {"query": args.query is not None}
    if args.proxy_header:
        kw["proxy_header"] = args.proxy_header
    if name == "agree":
        return gatekey.Policy.header_first(conflict="agree", **kw)
    return gatekey.Policy.header_first(**kw) if name == "header_first" else gatekey.Policy.cookie_first(**kw)


def _field(line: bytes, where: str) -> tuple[bytes, bytes]:
    """``Name: value`` (RFC 9110 §5): a line without a colon, with an
    empty or spaced name, or folded (RFC 9112 §5.2) is an error."""
    name, colon, value = line.partition(b":")
    if not colon:
        raise UsageError(f"{where}: a header line needs 'Name: value', got {line[:60]!r}")
    if not name or name != name.strip() or b" " in name or b"\t" in name:
        raise UsageError(f"{where}: not a header field name: {name[:60]!r}")
    return name, value.strip(b" \t")


def read_request(data: bytes, where: str) -> tuple[_Fields, Optional[bytes]]:
    """The header fields and query string of a raw HTTP/1.1 request
    (request line optional, then header lines, then a blank line and an
    ignored body)."""
    head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = head.split(b"\n")
    query: Optional[bytes] = None
    method, *rest = lines[0].split(b" ")
    if len(rest) == 2 and b":" not in method and rest[1].startswith(b"HTTP/"):
        lines.pop(0)  # the request line: method, target, version
        query = rest[0].partition(b"?")[2] or None
    fields: _Fields = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            raise UsageError(f"{where}: a folded header line (obsolete, RFC 9112 §5.2): {line[:60]!r}")
        fields.append(_field(line, where))
    return fields, query


def _fields_of(args: argparse.Namespace) -> tuple[_Fields, Optional[bytes]]:
    fields: _Fields = []
    query = args.query.encode() if args.query is not None else None
    if args.request is not None:
        try:
            data = sys.stdin.buffer.read() if args.request == "-" else open(args.request, "rb").read()
        except OSError as error:
            raise UsageError(f"--request: cannot read {args.request}: {error.strerror}") from None
        fields, in_target = read_request(data, "--request")
        query = query if query is not None else in_target
    for h in args.header:
        fields.append(_field(h.encode(), "-H"))
    for c in args.cookie:
        fields.append((b"cookie", c.encode()))
    return fields, query


def _error(e: gatekey.AuthError) -> dict[str, Any]:
    return {"name": e.name, "code": e.code, "status": e.status, "message": str(e), "www_authenticate": e.www_authenticate}


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options = {"audience": args.audience, "issuer": args.issuer, "leeway": args.leeway, "scopes": args.scope or None, "typ": args.typ}
    return {k: v for k, v in options.items() if v is not None}


def _verifier(args: argparse.Namespace, policy: gatekey.Policy) -> Optional[gatekey.Verifier]:
    options = _options(args)
    if args.jwks and args.jwks.startswith(("http://", "https://")):
        return gatekey.Verifier.from_jwks_url(args.jwks, policy=policy, **options)
    if args.jwks:
        return gatekey.Verifier.from_jwks_file(args.jwks, policy=policy, **options)
    if args.secret:
        return gatekey.Verifier(gatekey.KeySet.hs256(args.secret.encode()), policy=policy, **options)
    if args.issuer:
        # Keys from the issuer's discovery document; the issuer is the one trusted.
        options.pop("issuer")
        return gatekey.Verifier.from_issuer(args.issuer, policy=policy, **options)
    return None


def _decide(verifier: Optional[gatekey.Verifier], policy: gatekey.Policy, fields: _Fields, query: Optional[bytes], args: argparse.Namespace) -> dict[str, Any]:
    """One preset's decision: resolution, then verification when there are keys."""
    decision: dict[str, Any] = {"policy": policy.name, "winner": None, "shadowed": [], "skipped": [], "drift": False, "error": None, "verification": None}
    try:
        r = gatekey.resolve(fields, policy, query=query, token=args.token)
    except gatekey.AuthError as e:
        decision["error"] = _error(e)
        return decision
    decision.update(winner=r.source, shadowed=r.shadowed, skipped=[list(s) for s in r.skipped], drift=r.drift)
    if verifier is None or r.source is None:
        return decision
    try:
        identity = verifier.authenticate(fields, query=query, token=args.token, now=args.now)
    except gatekey.AuthError as e:
        decision["verification"] = {"outcome": "refused", "error": _error(e)}
        return decision
    assert identity is not None
    decision["verification"] = {"outcome": "accepted", "subject": identity.subject, "source": identity.source, "claims": identity.claims}
    return decision


def _explain(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    fields, query = _fields_of(args)
    chosen = _policy(args.policy, args)
    verifier = _verifier(args, chosen)
    names = list(PRESETS) if args.policy in PRESETS else [*PRESETS, args.policy]
    decisions = []
    for name in names:
        policy = chosen if name == args.policy else _policy(name, args)
        other = verifier
        if verifier is not None and name != args.policy:
            trusted = verifier.issuers if verifier.issuers is not None else verifier.keys
            other = gatekey.Verifier(trusted, policy=policy, **_options(args))
        decisions.append({"preset": name, **_decide(other, policy, fields, query, args)})
    mine = decisions[names.index(args.policy)]
    verification = mine["verification"]
    if verification is not None:
        verdict = verification["outcome"]  # "accepted" or "refused"
    elif mine["error"] or mine["winner"] is None:
        verdict = "refused"
    else:
        verdict = "not_verified"
    keys = []
    status = verifier.key_status() if verifier is not None else None
    for source in (status or {}).get("sources", []):
        keys.append({"keys": source["keys"], "from": source["jwks_uri"] or source["location"], "skipped": len(source["skipped"])})
    document = {
        "schema": EXPLAIN_SCHEMA,
        "version": gatekey.__version__,
        "policy": args.policy,
        "verified": verifier is not None,
        "order": chosen.order,
        "conflict": chosen.conflict,
        "credentials": sorted({d["winner"] for d in decisions if d["winner"]} | {s for d in decisions for s in d["shadowed"]}),
        "decisions": decisions,
        "keys": keys,
        "verdict": verdict,
    }
    return document, ACCEPTED if verdict == "accepted" else REFUSED


def _print_text(doc: dict[str, Any]) -> None:
    print(f"policy {doc['policy']} ({doc['conflict']}): {' > '.join(doc['order'])}")
    print(f"credentials found: {', '.join(doc['credentials']) or 'none'}")
    for d in doc["decisions"]:
        if d["error"]:
            line = f"refused before verification: {d['error']['name']} ({d['error']['code']})"
        elif d["winner"] is None:
            line = "no credential"
        else:
            line = f"{d['winner']} wins" + (f", shadowing {', '.join(d['shadowed'])}" if d["shadowed"] else "") + (" (DRIFT)" if d["drift"] else "")
            v = d["verification"]
            if v is not None:
                line += f" -> subject {v['subject']!r}" if v["outcome"] == "accepted" else f" -> refused, {v['error']['name']}"
        print(f"  under {d['preset']}: {line}")
    for k in doc["keys"]:
        print(f"keys: {k['keys']} from {k['from']}, {k['skipped']} skipped")
    mine = next(d for d in doc["decisions"] if d["preset"] == doc["policy"])
    if mine["error"]:
        e = mine["error"]
        print(f"refused before verification: {e['name']} ({e['code']}): {e['message']} -> HTTP {e['status']}")
        print(f"WWW-Authenticate: {e['www_authenticate']}")
        return
    for source, reason in mine["skipped"]:
        print(f"  skipped {source}: {reason.replace('_', ' ')}")
    if mine["winner"] is None:
        print("no credential: anonymous, or 401 with WWW-Authenticate: Bearer")
        return
    print(f"winner: {mine['winner']}")
    for s in mine["shadowed"]:
        print(f"  shadowed: {s}")
    if mine["drift"]:
        print("  DRIFT: a shadowed credential differs from the winner; another precedence would give another identity")
    v = mine["verification"]
    if not doc["verified"]:
        print("verification: not attempted (give --jwks FILE|URL, --issuer URL or --secret)")
    elif v["outcome"] == "refused":
        e = v["error"]
        print(f"verification: refused, {e['name']} ({e['code']}): {e['message']} -> HTTP {e['status']}")
        print(f"WWW-Authenticate: {e['www_authenticate']}")
    else:
        print(f"verification: accepted, subject {v['subject']!r}")
        print(json.dumps(v["claims"], indent=2))


def explain(args: argparse.Namespace) -> int:
    """``gatekey explain``: 0 accepted, 1 refused or not verified, 2 usage, 3 configuration."""
    try:
        document, code = _explain(args)
    except UsageError as error:
        print(f"gatekey explain: {error}", file=sys.stderr)
        return USAGE
    except gatekey.ConfigurationError as error:
        print(f"gatekey explain: configuration error: {error}", file=sys.stderr)
        return CONFIGURATION
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        _print_text(document)
    return code


def token(args: argparse.Namespace) -> int:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": args.sub, "iat": now, "exp": now + args.ttl}
    if args.aud:
        claims["aud"] = args.aud
    if args.iss:
        claims["iss"] = args.iss
    if args.scope:
        claims["scope"] = args.scope
    for c in args.claim:
        k, _, v = c.partition("=")
        try:
            claims[k] = json.loads(v)
        except json.JSONDecodeError:
            claims[k] = v
    if args.alg == "HS256":
        if not args.secret:
            raise SystemExit("HS256 needs --secret (at least 32 bytes)")
        print(mint_hs256(claims, args.secret.encode(), args.kid))
    else:
        if not args.key:
            raise SystemExit("ES256 needs --key PRIVATE_KEY.pem")
        with open(args.key, "rb") as f:
            print(mint_es256(claims, f.read(), args.kid))
    return 0


def demo(_: argparse.Namespace) -> int:
    from gatekey._demo import run

    return run()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="gatekey", description="One credential resolver and JWT verifier for every layer of a gateway.")
    sub = parser.add_subparsers(dest="command", required=True)
    parser.add_argument("--version", action="version", version=f"gatekey {gatekey.__version__}")
    e = sub.add_parser(
        "explain",
        help="which credential of a request wins under each preset, and whether it verifies",
        epilog="exit status: 0 accepted, 1 refused or not verified, 2 usage error, 3 configuration error",
    )
    e.add_argument("-r", "--request", metavar="FILE", help="a raw HTTP request (request line optional, then headers); '-' reads stdin")
    e.add_argument("-H", "--header", action="append", default=[], help="'Name: value' (repeatable)")
    e.add_argument("-b", "--cookie", action="append", default=[], help="a Cookie header value, e.g. 'jwt_token=...'")
    e.add_argument("--json", action="store_true", help="print one JSON document (schema in the Python README)")
    e.add_argument("--now", type=int, help="the time to verify at, in seconds since the epoch")
    e.add_argument("--leeway", type=int, help="seconds of clock skew allowed for exp and nbf")
    e.add_argument("--scope", action="append", help="a scope the token must grant (repeatable)")
    e.add_argument("--typ", help="the JOSE typ the token must carry, e.g. at+jwt")
    e.add_argument("--token", help="an explicit token (a form field, an argument)")
    e.add_argument("--query", help="the query string")
    e.add_argument("--policy", default="header_first", choices=["header_first", "cookie_first", "strict", "agree"])
    e.add_argument("--proxy-header", help="enable the trusted proxy header with this name")
    e.add_argument("--jwks", help="a JWKS file or URL to verify with")
    e.add_argument("--secret", help="an HS256 secret to verify with")
    e.add_argument("--audience")
    e.add_argument("--issuer", help="the trusted iss; alone, also the OIDC issuer URL whose keys verify")
    e.set_defaults(func=explain)
    t = sub.add_parser("token", help="mint a signed test token (local development only)")
    t.add_argument("--alg", default="HS256", choices=["HS256", "ES256"])
    t.add_argument("--secret")
    t.add_argument("--key", help="EC private key PEM for ES256")
    t.add_argument("--kid")
    t.add_argument("--sub", default="dev-user")
    t.add_argument("--aud")
    t.add_argument("--iss")
    t.add_argument("--scope")
    t.add_argument("--ttl", type=int, default=3600)
    t.add_argument("--claim", action="append", default=[], help="name=value (JSON or string)")
    t.set_defaults(func=token)
    d = sub.add_parser("demo", help="a protected stateless MCP server on localhost, driven end to end")
    d.set_defaults(func=demo)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
