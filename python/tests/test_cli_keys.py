"""`gatekey explain --jwks FILE|URL` and `--issuer URL` over the Rust key
sources, against a loopback identity provider in a thread."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from gatekey.cli import main as cli_main
from gatekey.cli import mint_hs256

SECRET = b"0123456789abcdef0123456789abcdef-cli-keys"
JWKS = {"keys": [{"kty": "oct", "kid": "hs1", "alg": "HS256", "k": base64.urlsafe_b64encode(SECRET).rstrip(b"=").decode()}]}


def token(iss: str) -> str:
    now = int(time.time())
    return mint_hs256({"iss": iss, "sub": "alice", "aud": "mcp", "exp": now + 600, "iat": now}, SECRET, kid="hs1")


@pytest.fixture()
def idp() -> Iterator[str]:
    base: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/.well-known/openid-configuration":
                body: Any = {"issuer": base["url"], "jwks_uri": base["url"] + "/jwks"}
            else:
                body = JWKS
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base["url"]
    finally:
        server.shutdown()
        server.server_close()


def test_explain_jwks_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(JWKS))
    tok = token("https://idp.example")
    assert cli_main(["explain", "-H", f"Authorization: Bearer {tok}", "--jwks", str(path), "--audience", "mcp"]) == 0
    out = capsys.readouterr().out
    assert "verification: accepted, subject 'alice'" in out
    assert f"keys: 1 from {path}" in out
    assert cli_main(["explain", "-H", f"Authorization: Bearer {tok}", "--jwks", str(tmp_path / "none.json")]) == 3


def test_explain_jwks_url_and_issuer(idp: str, capsys: pytest.CaptureFixture[str]) -> None:
    tok = token(idp)
    assert cli_main(["explain", "-H", f"Authorization: Bearer {tok}", "--jwks", idp + "/jwks", "--audience", "mcp"]) == 0
    assert "verification: accepted" in capsys.readouterr().out
    assert cli_main(["explain", "-H", f"Authorization: Bearer {tok}", "--issuer", idp, "--audience", "mcp"]) == 0
    out = capsys.readouterr().out
    assert f"keys: 1 from {idp}/jwks" in out
    assert "verification: accepted" in out
    # The issuer is the one trusted: a token of another is refused.
    other = token("https://elsewhere.example")
    assert cli_main(["explain", "-H", f"Authorization: Bearer {other}", "--issuer", idp, "--audience", "mcp"]) == 1
