"""Hash-chained audit log: tampering of every kind is detected; appends are serialised."""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from netzicht.errors import NetzichtError
from netzicht.privacy.audit import (
    GENESIS_HASH,
    AuditIntegrityError,
    AuditLog,
    canonical_json,
    entry_hash,
)


def fill(log: AuditLog, n: int = 5) -> None:
    for i in range(1, n + 1):
        log.append(
            actor=f"analyst{i}",
            role="analyst",
            action="psi.finish",
            target=f"case-{i:04d}",
            purpose="RIEC covenant: joint picture of labour exploitation",
            details={"matches": i, "note": "synthetic"},
        )


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    fill(log)
    return log


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="utf-8").splitlines()


def rewrite(log: AuditLog, new_lines: list[str]) -> None:
    log.path.write_text("".join(line + "\n" for line in new_lines), encoding="utf-8")


def test_entries_form_a_chain_with_sha256_over_canonical_json(log: AuditLog) -> None:
    entries = log.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    for entry in entries:
        body = entry.model_dump(exclude={"hash"})
        expected = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).hexdigest()
        assert entry.hash == expected == entry_hash(entry.model_dump())
        assert entry.ts.endswith("Z")
        datetime.fromisoformat(entry.ts)
    result = log.verify()
    assert result.ok and result.entries == 5 and result.problems == []
    assert log.head() == (5, entries[-1].hash)


def test_long_entries_span_read_blocks(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.jsonl")
    for i in range(3):
        log.append(
            actor="a",
            role="r",
            action="x",
            target="t",
            purpose="p",
            details={"blob": "é" * (5000 + i)},
        )
    assert [e.seq for e in log.entries()] == [1, 2, 3]
    assert log.verify().ok


def test_timestamps_are_utc(tmp_path: Path) -> None:
    cet = timezone(timedelta(hours=1))
    log = AuditLog(tmp_path / "a.jsonl", clock=lambda: datetime(2024, 3, 1, 13, 0, tzinfo=cet))
    entry = log.append(actor="a", role="r", action="x", target="t", purpose="p")
    assert entry.ts == "2024-03-01T12:00:00.000000Z"
    assert datetime.fromisoformat(entry.ts).astimezone(UTC).hour == 12


def test_edited_field_is_detected(log: AuditLog) -> None:
    text = lines(log)
    entry = json.loads(text[2])
    entry["purpose"] = "curiosity"
    text[2] = canonical_json(entry).decode()
    rewrite(log, text)
    result = log.verify()
    assert not result.ok
    assert result.problems == ["line 3 (seq 3): hash mismatch — entry was edited"]


def test_deleted_middle_line_is_detected(log: AuditLog) -> None:
    text = lines(log)
    rewrite(log, text[:2] + text[3:])
    result = log.verify()
    assert not result.ok
    assert any("line 3 (seq 4): expected seq 3" in p for p in result.problems)
    assert any("line 3 (seq 4): prev_hash differs" in p for p in result.problems)


def test_deleted_last_line_is_detected_by_the_head_file(log: AuditLog) -> None:
    rewrite(log, lines(log)[:-1])
    result = log.verify()
    assert not result.ok
    assert result.entries == 4
    assert result.problems == [
        "head says seq 5 but the log ends at seq 4 — entries were removed from the end (truncated)"
    ]
    # And the log refuses to grow over the gap.
    with pytest.raises(AuditIntegrityError, match="does not match head file"):
        log.append(actor="a", role="r", action="x", target="t", purpose="p")


def test_reordered_lines_are_detected(log: AuditLog) -> None:
    text = lines(log)
    text[1], text[3] = text[3], text[1]
    rewrite(log, text)
    result = log.verify()
    assert not result.ok
    assert any("line 2 (seq 4)" in p for p in result.problems)
    assert any("line 4 (seq 2)" in p for p in result.problems)


def test_missing_head_and_incomplete_line_are_reported(log: AuditLog) -> None:
    log.head_path.unlink()
    assert log.verify().problems == [f"{log.head_path}: head file missing"]
    with pytest.raises(AuditIntegrityError):
        log.append(actor="a", role="r", action="x", target="t", purpose="p")
    log2 = AuditLog(log.path.with_name("b.jsonl"))
    fill(log2, 2)
    with log2.path.open("ab") as fh:
        fh.write(b'{"seq":3,"ts":')
    result = log2.verify()
    assert not result.ok
    assert result.problems == ["line 3: last line is incomplete (interrupted write?)"]


def test_consistent_rewrite_needs_an_external_anchor(log: AuditLog) -> None:
    """The known limit of an unkeyed chain, and how the anchor closes it."""
    anchor = log.head()
    assert anchor is not None
    forged: list[str] = []
    prev = GENESIS_HASH
    for raw in lines(log):
        entry = json.loads(raw)
        if entry["seq"] == 2:
            entry["target"] = "someone-else"
        entry["prev_hash"] = prev
        entry["hash"] = entry_hash(entry)
        prev = entry["hash"]
        forged.append(canonical_json(entry).decode())
    rewrite(log, forged)
    log.head_path.write_text(json.dumps({"seq": 5, "hash": prev}), encoding="utf-8")
    assert log.verify().ok
    result = log.verify(anchor=anchor)
    assert not result.ok
    assert result.problems == ["seq 5: does not match the anchor recorded elsewhere"]


def test_append_validates_fields(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.jsonl")
    with pytest.raises(ValueError, match="'purpose' must be a non-empty"):
        log.append(actor="a", role="r", action="x", target="t", purpose=" ")
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        log.append(actor="a", role="r", action="x", target="t", purpose="p", details={"x": {1}})
    assert not log.path.exists()
    assert log.verify().ok and log.verify().entries == 0
    assert issubclass(AuditIntegrityError, NetzichtError)


def _append_many(path: str, worker: int, n: int) -> None:
    log = AuditLog(path)
    for i in range(n):
        log.append(
            actor=f"w{worker}", role="steward", action="ingest", target=f"batch{i}", purpose="load"
        )


def test_concurrent_processes_get_consecutive_sequence_numbers(tmp_path: Path) -> None:
    path = str(tmp_path / "audit.jsonl")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(path, w, 25)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    log = AuditLog(path)
    result = log.verify()
    assert result.ok, result.problems
    assert [e.seq for e in log.entries()] == list(range(1, 101))
    assert {e.actor for e in log.entries()} == {"w0", "w1", "w2", "w3"}
