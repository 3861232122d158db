"""`netzicht psi` end to end: two parties in separate directories, files carried between them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netzicht.privacy.cli import psi_app

OURS = ["+31612345678", "+31687654321", "+31611111111", "+31622222222", "NL91ABNA0417164300"]
THEIRS = ["+31687654321", "+31699999999", "NL91ABNA0417164300", "+31633333333"]


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    requester, responder = tmp_path / "requester", tmp_path / "responder"
    requester.mkdir()
    responder.mkdir()
    (requester / "ids.txt").write_text("\n".join(OURS) + "\n", encoding="utf-8")
    (responder / "ids.txt").write_text("\n".join(THEIRS) + "\n", encoding="utf-8")
    return requester, responder


def run(*args: str | Path):
    result = CliRunner().invoke(psi_app, [str(a) for a in args])
    return result


def exchange(requester: Path, responder: Path, *request_flags: str) -> None:
    r = run(
        "request",
        "--ids",
        requester / "ids.txt",
        "--state",
        requester / "state",
        "--out",
        requester / "request",
        *request_flags,
    )
    assert r.exit_code == 0, r.output
    assert "keep" in r.stdout and "private" in r.stdout
    shutil.copy(requester / "request", responder / "request")
    r = run(
        "respond",
        "--request",
        responder / "request",
        "--ids",
        responder / "ids.txt",
        "--out",
        responder / "response",
    )
    assert r.exit_code == 0, r.output
    assert f"request of {len(OURS)} identifiers" in r.stdout
    shutil.copy(responder / "response", requester / "response")


def test_three_commands_reveal_json(dirs: tuple[Path, Path]) -> None:
    requester, responder = dirs
    exchange(requester, responder)
    r = run(
        "finish", "--state", requester / "state", "--response", requester / "response", "--json"
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {
        "count": 2,
        "matches": ["+31687654321", "NL91ABNA0417164300"],
    }


def test_three_commands_human_summary(dirs: tuple[Path, Path]) -> None:
    requester, responder = dirs
    exchange(requester, responder)
    r = run("finish", "--state", requester / "state", "--response", requester / "response")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "2 of your identifiers also held by the other party",
        "  +31687654321",
        "  NL91ABNA0417164300",
    ]


def test_count_only_omits_matches(dirs: tuple[Path, Path]) -> None:
    requester, responder = dirs
    exchange(requester, responder, "--count-only")
    r = run(
        "finish",
        "--state",
        requester / "state",
        "--response",
        requester / "response",
        "--count-only",
        "--json",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"count": 2}
    # Without --count-only the requester is told why the matches cannot be shown.
    r = run("finish", "--state", requester / "state", "--response", requester / "response")
    assert r.exit_code == 2
    assert "count-only" in r.stderr


def test_errors_are_one_line_on_stderr_with_exit_2(dirs: tuple[Path, Path]) -> None:
    requester, responder = dirs
    exchange(requester, responder)
    # The request given where the response belongs.
    r = run("finish", "--state", requester / "state", "--response", requester / "request")
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert str(requester / "request") in lines[0]
    assert "expected a PSI response file" in lines[0]
    assert r.stdout == ""


def test_responder_can_refuse_large_or_reveal_requests(dirs: tuple[Path, Path]) -> None:
    requester, responder = dirs
    exchange(requester, responder)
    r = run(
        "respond",
        "--request",
        responder / "request",
        "--ids",
        responder / "ids.txt",
        "--out",
        responder / "r2",
        "--max-request-size",
        "3",
    )
    assert r.exit_code == 2
    assert "more than the 3" in r.stderr
    r = run(
        "respond",
        "--request",
        responder / "request",
        "--ids",
        responder / "ids.txt",
        "--out",
        responder / "r2",
        "--refuse-reveal",
    )
    assert r.exit_code == 2
    assert "count-only" in r.stderr
    assert not (responder / "r2").exists()


def test_bad_identifier_file_is_reported_with_line(dirs: tuple[Path, Path]) -> None:
    requester, _ = dirs
    (requester / "ids.txt").write_bytes(b"+31612345678\nbad\x00\n")
    r = run(
        "request",
        "--ids",
        requester / "ids.txt",
        "--state",
        requester / "state",
        "--out",
        requester / "request",
    )
    assert r.exit_code == 2
    assert f"{requester / 'ids.txt'}:2: line contains a NUL byte" in r.stderr
    assert not (requester / "state").exists()
