"""Append-only, hash-chained audit log in a JSON Lines file.

Each line is one entry ``{seq, ts, actor, role, action, target, purpose, details, prev_hash,
hash}`` where ``hash = sha256(canonical JSON of the entry without "hash")`` and ``prev_hash`` is
the previous entry's hash (64 zeros for the first). Canonical JSON: keys sorted, no whitespace,
UTF-8. Editing an entry breaks its hash; deleting or reordering entries breaks ``seq`` and
``prev_hash``. Deleting the *last* entries leaves a valid chain, so a sidecar ``<path>.head`` keeps
the last ``seq`` and ``hash``; it is replaced atomically after every append.

Appends take an exclusive ``fcntl.flock`` on ``<path>.lock`` so concurrent writers (processes or
threads) get consecutive sequence numbers. An append first checks that the log's last entry
matches the head file and refuses (:class:`AuditIntegrityError`) if not: an audit trail that cannot
be trusted must be looked at, not silently extended.

Limits: the hash is unkeyed, so someone who can write both files can rewrite the whole chain
consistently. Against that, copy :meth:`AuditLog.head` to another custodian now and then (a
partner, a ticket, a signed e-mail) and check it later with ``verify(anchor=...)``.

Example::

    >>> import tempfile, pathlib
    >>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl")
    >>> e = log.append(actor="analyst7", role="analyst", action="psi.finish",
    ...                target="case-0042", purpose="RIEC covenant check")
    >>> e.seq, log.verify().ok
    (1, True)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from netzicht.errors import InputFileError, NetzichtError

GENESIS_HASH = "0" * 64
_FIELDS = (
    "seq",
    "ts",
    "actor",
    "role",
    "action",
    "target",
    "purpose",
    "details",
    "prev_hash",
    "hash",
)


class AuditIntegrityError(NetzichtError):
    """The audit log or its head file is damaged; nothing was appended."""


class AuditEntry(BaseModel):
    """One audit record. ``hash`` covers every other field."""

    model_config = ConfigDict(frozen=True)

    seq: int
    ts: str
    actor: str
    role: str
    action: str
    target: str
    purpose: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyResult(BaseModel):
    """Outcome of :meth:`AuditLog.verify`; ``problems`` name the line and seq concerned."""

    ok: bool
    entries: int
    problems: list[str]


def canonical_json(obj: Any) -> bytes:
    """The bytes that are hashed: sorted keys, no whitespace, UTF-8, no NaN/Infinity."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(fields: dict[str, Any]) -> str:
    """sha256 over the canonical JSON of an entry without its ``hash`` field."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AuditLog:
    """An audit log at ``path`` (JSON Lines), with ``<path>.head`` and ``<path>.lock`` beside it."""

    def __init__(self, path: str | os.PathLike[str], *, clock: Callable[[], datetime] = _utc_now):
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + ".head")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._clock = clock

    # -- writing --------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def append(
        self,
        *,
        actor: str,
        role: str,
        action: str,
        target: str,
        purpose: str,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry under an exclusive lock and move the head file on.

        Every text field must be non-empty (an entry without a purpose is not an audit entry);
        ``details`` must be JSON-serialisable.
        """
        for name, value in (
            ("actor", actor),
            ("role", role),
            ("action", action),
            ("target", target),
            ("purpose", purpose),
        ):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"audit entry field {name!r} must be a non-empty string")
        details = dict(details or {})
        try:
            canonical_json(details)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"audit entry details are not JSON-serialisable: {exc}") from exc
        ts = self._clock().astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        with self._locked():
            last = self._last_entry()
            head = self._read_head()
            last_pair = (last["seq"], last["hash"]) if last is not None else None
            if head != last_pair:
                raise AuditIntegrityError(
                    f"{self.path}: last entry {last_pair} does not match head file "
                    f"{self.head_path} {head}; run verify() — nothing was appended"
                )
            fields: dict[str, Any] = {
                "seq": 1 if last is None else last["seq"] + 1,
                "ts": ts,
                "actor": actor,
                "role": role,
                "action": action,
                "target": target,
                "purpose": purpose,
                "details": details,
                "prev_hash": GENESIS_HASH if last is None else last["hash"],
            }
            fields["hash"] = entry_hash(fields)
            line = canonical_json(fields) + b"\n"
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            self._write_head(fields["seq"], fields["hash"])
        return AuditEntry(**fields)

    def _write_head(self, seq: int, hash_: str) -> None:
        data = canonical_json({"seq": seq, "hash": hash_}) + b"\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.head_path.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.head_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- reading --------------------------------------------------------------------------------

    def head(self) -> tuple[int, str] | None:
        """``(seq, hash)`` of the last entry according to the head file; ``None`` if empty.

        Copy this value somewhere else to anchor the log against a full rewrite.
        """
        return self._read_head()

    def _read_head(self) -> tuple[int, str] | None:
        try:
            raw = self.head_path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise InputFileError(f"{self.head_path}: cannot read: {exc.strerror}") from exc
        try:
            data = json.loads(raw)
            seq, hash_ = data["seq"], data["hash"]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
            raise AuditIntegrityError(f"{self.head_path}: head file is corrupt") from None
        if not isinstance(seq, int) or not isinstance(hash_, str):
            raise AuditIntegrityError(f"{self.head_path}: head file is corrupt")
        return seq, hash_

    def _last_entry(self) -> dict[str, Any] | None:
        """The last line of the log, parsed; read backwards so long logs stay cheap."""
        try:
            fh = self.path.open("rb")
        except FileNotFoundError:
            return None
        with fh:
            end = fh.seek(0, os.SEEK_END)
            if end == 0:
                return None
            block, pos, tail = 4096, end, b""
            while pos > 0:
                step = min(block, pos)
                pos -= step
                fh.seek(pos)
                tail = fh.read(step) + tail
                if tail.count(b"\n") >= 2 or pos == 0:
                    break
        lines = tail.rstrip(b"\n").split(b"\n")
        if not tail.endswith(b"\n"):
            raise AuditIntegrityError(f"{self.path}: last line is incomplete (interrupted write?)")
        try:
            last = json.loads(lines[-1])
            if not isinstance(last, dict):
                raise TypeError
            int(last["seq"])
            str(last["hash"])
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError):
            raise AuditIntegrityError(f"{self.path}: last line is not an audit entry") from None
        return last

    def _lines(self) -> list[bytes]:
        try:
            return self.path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise InputFileError(f"{self.path}: cannot read: {exc.strerror}") from exc

    def entries(self) -> list[AuditEntry]:
        """All entries, parsed; raises :class:`AuditIntegrityError` naming the line if one is
        not an audit entry at all (use :meth:`verify` for the full check)."""
        out: list[AuditEntry] = []
        for lineno, raw in enumerate(self._lines(), start=1):
            if not raw:
                continue
            fields = self._parse(raw)
            if fields is None:
                raise AuditIntegrityError(f"{self.path}:{lineno}: not an audit entry")
            out.append(AuditEntry(**fields))
        return out

    @staticmethod
    def _parse(raw: bytes) -> dict[str, Any] | None:
        try:
            fields = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        if not isinstance(fields, dict) or set(fields) != set(_FIELDS):
            return None
        try:
            AuditEntry(**fields)
        except ValueError:
            return None
        return fields

    def verify(self, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
        """Check every hash, the sequence, the chain and the head file.

        ``anchor`` is a ``(seq, hash)`` pair recorded earlier elsewhere (see :meth:`head`); the
        entry with that seq must still have that hash.
        """
        problems: list[str] = []
        prev_hash, prev_seq, count = GENESIS_HASH, 0, 0
        seen: dict[int, str] = {}
        lines = self._lines()
        if lines and lines[-1] != b"":
            problems.append(f"line {len(lines)}: last line is incomplete (interrupted write?)")
        for lineno, raw in enumerate(lines, start=1):
            if not raw:
                if lineno != len(lines):
                    problems.append(f"line {lineno}: empty line")
                continue
            fields = self._parse(raw)
            if fields is None:
                if lineno != len(lines):
                    problems.append(f"line {lineno}: not an audit entry")
                continue
            count += 1
            seq = fields["seq"]
            where = f"line {lineno} (seq {seq})"
            if entry_hash(fields) != fields["hash"]:
                problems.append(f"{where}: hash mismatch — entry was edited")
            if seq != prev_seq + 1:
                problems.append(
                    f"{where}: expected seq {prev_seq + 1} — entries deleted, inserted or reordered"
                )
            if fields["prev_hash"] != prev_hash:
                problems.append(f"{where}: prev_hash differs from the entry before (chain broken)")
            seen[seq] = fields["hash"]
            prev_hash, prev_seq = fields["hash"], seq
        try:
            head = self._read_head()
        except (AuditIntegrityError, InputFileError) as exc:
            problems.append(str(exc))
        else:
            if head is None and count:
                problems.append(f"{self.head_path}: head file missing")
            elif head is not None:
                head_seq, head_hash = head
                if head_seq > prev_seq:
                    problems.append(
                        f"head says seq {head_seq} but the log ends at seq {prev_seq} — "
                        "entries were removed from the end (truncated)"
                    )
                elif head_seq < prev_seq:
                    problems.append(
                        f"head says seq {head_seq} but the log goes on to seq {prev_seq} — "
                        "entries were added without the head file (or an append was cut off)"
                    )
                elif head_hash != prev_hash:
                    problems.append(f"seq {head_seq}: hash differs from the head file")
        if anchor is not None:
            a_seq, a_hash = anchor
            if seen.get(a_seq) != a_hash:
                problems.append(f"seq {a_seq}: does not match the anchor recorded elsewhere")
        return VerifyResult(ok=not problems, entries=count, problems=problems)
