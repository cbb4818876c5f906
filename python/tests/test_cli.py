"""`gatekey explain`: a raw request from a file or stdin, every preset side
by side, --json, the verification options, --version and the exit codes
(0 accepted, 1 refused or not verified, 2 usage, 3 configuration)."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import gatekey
from gatekey.cli import main as cli_main
from gatekey.cli import mint_hs256

SECRET = "cli-test-secret-0123456789abcdef"


def token(sub: str, **claims: Any) -> str:
    now = int(time.time())
    return mint_hs256({"sub": sub, "iat": now, "exp": now + 600, **claims}, SECRET.encode())


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = cli_main(["explain", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_every_preset_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    alice, bob = token("alice"), token("bob")
    code = cli_main(["explain", "-H", f"Authorization: Bearer {alice}", "-b", f"jwt_token={bob}", "--secret", SECRET])
    out = capsys.readouterr().out
    assert code == 0
    assert "credentials found: bearer, cookie" in out
    assert "under header_first: bearer wins, shadowing cookie (DRIFT) -> subject 'alice'" in out
    assert "under cookie_first: cookie wins, shadowing bearer (DRIFT) -> subject 'bob'" in out
    assert "under strict: refused before verification: multiple_methods (105)" in out


def test_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    alice = token("alice")
    code, doc = run_json(capsys, "-H", f"Authorization: Bearer {alice}", "-b", "jwt_token=x.y.z", "--secret", SECRET, "--policy", "cookie_first")
    assert code == 1 and doc["verdict"] == "refused"
    assert doc["schema"] == 1 and doc["version"] == gatekey.__version__ and doc["verified"] is True
    assert doc["policy"] == "cookie_first" and doc["order"].index("cookie") < doc["order"].index("bearer")
    by = {d["preset"]: d for d in doc["decisions"]}
    assert list(by) == ["header_first", "cookie_first", "strict"]
    assert by["header_first"]["verification"]["subject"] == "alice"
    assert by["cookie_first"]["winner"] == "cookie"
    assert by["cookie_first"]["verification"]["outcome"] == "refused"
    assert by["strict"]["error"]["name"] == "multiple_methods" and by["strict"]["error"]["status"] == 400
    assert alice not in json.dumps(doc["decisions"][0]["verification"]["claims"])


def test_raw_request_from_a_file_and_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    raw = f"POST /mcp?x=1 HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {token('carol')}\r\n\r\n{{\"ignored\": true}}".encode()
    path = tmp_path / "request.http"
    path.write_bytes(raw)
    code, doc = run_json(capsys, "--request", str(path), "--secret", SECRET)
    assert code == 0 and doc["verdict"] == "accepted"
    assert doc["decisions"][0]["verification"]["subject"] == "carol"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code, doc = run_json(capsys, "-r", "-", "--secret", SECRET)
    assert code == 0 and doc["decisions"][0]["winner"] == "bearer"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["-H", "Authorization Bearer x"], "a header line needs 'Name: value'"),
        (["-H", ": x"], "not a header field name"),
        (["-H", "Bad Name: x"], "not a header field name"),
        (["--request", "/no/such/file"], "cannot read /no/such/file"),
    ],
)
def test_usage_errors_exit_2_without_traceback(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["explain", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_folded_header_line_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "folded.http"
    path.write_bytes(b"GET / HTTP/1.1\r\nAuthorization: Bearer\r\n  abc\r\n\r\n")
    assert cli_main(["explain", "--request", str(path)]) == 2
    assert "folded header line" in capsys.readouterr().err


def test_exit_codes_and_verification_options(capsys: pytest.CaptureFixture[str]) -> None:
    bearer = ["-H", f"Authorization: Bearer {token('dan', scope='read')}"]
    assert cli_main(["explain", *bearer]) == 1  # not verified is not accepted
    assert "verification: not attempted" in capsys.readouterr().out
    assert cli_main(["explain"]) == 1
    assert cli_main(["explain", *bearer, "--secret", SECRET, "--scope", "read"]) == 0
    capsys.readouterr()
    code, doc = run_json(capsys, *bearer, "--secret", SECRET, "--scope", "write")
    assert code == 1 and doc["decisions"][0]["verification"]["error"]["name"] == "insufficient_scope"
    capsys.readouterr()
    assert cli_main(["explain", *bearer, "--secret", SECRET, "--leeway", "-1"]) == 3
    assert "configuration error" in capsys.readouterr().err
    assert cli_main(["explain", *bearer, "--secret", "short"]) == 3
    old = mint_hs256({"sub": "eve", "exp": 1_000_000}, SECRET.encode())
    old_header = ["-H", f"Authorization: Bearer {old}"]
    assert cli_main(["explain", *old_header, "--secret", SECRET]) == 1
    assert cli_main(["explain", *old_header, "--secret", SECRET, "--now", "999000"]) == 0
    capsys.readouterr()
    typed = ["-H", f"Authorization: Bearer {token('fay')}", "--secret", SECRET, "--typ", "at+jwt"]
    code, doc = run_json(capsys, *typed)
    assert code == 1 and doc["decisions"][0]["verification"]["error"]["name"] == "wrong_type"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli_main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"gatekey {gatekey.__version__}"
