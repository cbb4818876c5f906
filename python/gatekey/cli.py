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


def _policy(name: str, args: argparse.Namespace) -> gatekey.Policy:
    if name == "strict":
        return gatekey.Policy.strict()
    kw: dict[str, Any] = {"query": args.query is not None}
    if args.proxy_header:
        kw["proxy_header"] = args.proxy_header
    if name == "agree":
        return gatekey.Policy.header_first(conflict="agree", **kw)
    return gatekey.Policy.header_first(**kw) if name == "header_first" else gatekey.Policy.cookie_first(**kw)


def explain(args: argparse.Namespace) -> int:
    headers = []
    for h in args.header:
        name, _, value = h.partition(":")
        headers.append((name.strip(), value.strip()))
    for c in args.cookie:
        headers.append(("Cookie", c))
    policy = _policy(args.policy, args)
    print(f"policy {policy.name} ({policy.conflict}): {' > '.join(policy.order)}")
    try:
        r = gatekey.resolve(headers, policy, query=args.query, token=args.token)
    except gatekey.AuthError as e:
        print(f"refused before verification: {e.name} ({e.code}): {e} -> HTTP {e.status}")
        print(f"WWW-Authenticate: {e.www_authenticate}")
        return 1
    for source, reason in r.skipped:
        print(f"  skipped {source}: {reason.replace('_', ' ')}")
    if r.source is None:
        print("no credential: anonymous, or 401 with WWW-Authenticate: Bearer")
        return 1
    print(f"winner: {r.source}")
    for s in r.shadowed:
        print(f"  shadowed: {s}")
    if r.drift:
        print("  DRIFT: a shadowed credential differs from the winner; another precedence would give another identity")
    options: dict[str, Any] = {"audience": args.audience, "issuer": args.issuer}
    try:
        if args.jwks and args.jwks.startswith(("http://", "https://")):
            verifier = gatekey.Verifier.from_jwks_url(args.jwks, policy=policy, **options)
        elif args.jwks:
            verifier = gatekey.Verifier.from_jwks_file(args.jwks, policy=policy, **options)
        elif args.secret:
            verifier = gatekey.Verifier(gatekey.KeySet.hs256(args.secret), policy=policy, **options)
        elif args.issuer:
            # Keys from the issuer's discovery document; the issuer is the one trusted.
            verifier = gatekey.Verifier.from_issuer(args.issuer, policy=policy, audience=args.audience)
        else:
            print("verification: not attempted (give --jwks FILE|URL, --issuer URL or --secret)")
            return 0
    except gatekey.ConfigurationError as e:
        print(f"verification: no verifier, {e}")
        return 2
    status = verifier.key_status()
    if status is not None:
        for s in status["sources"]:
            print(f"keys: {s['keys']} from {s['jwks_uri'] or s['location']}, {len(s['skipped'])} skipped")
    try:
        identity = verifier.authenticate(headers, query=args.query, token=args.token)
    except gatekey.AuthError as e:
        print(f"verification: refused, {e.name} ({e.code}): {e} -> HTTP {e.status}")
        print(f"WWW-Authenticate: {e.www_authenticate}")
        return 1
    assert identity is not None
    print(f"verification: accepted, subject {identity.subject!r}")
    print(json.dumps(identity.claims, indent=2))
    return 0


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
    e = sub.add_parser("explain", help="which credential of a request wins, and whether it verifies")
    e.add_argument("-H", "--header", action="append", default=[], help="'Name: value' (repeatable)")
    e.add_argument("-b", "--cookie", action="append", default=[], help="a Cookie header value, e.g. 'jwt_token=...'")
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
