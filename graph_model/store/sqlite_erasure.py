"""Erasure and retention on the embedded SQLite store (the ``ErasureBackend`` of SQLiteStore).

What erasing a person removes ("everything derived from them"):

- the Person node, its provenance, its local ids, its edges with all their observations, and its
  per-node results;
- **artefacts**: a neighbouring node identified by a value (Phone, Email, BankAccount, Address,
  Vehicle, OnlineAd — any label whose schema identity is not ``source_record``) is the person's
  personal data too when *every* provenance row of it comes from the person's own source records
  and its only links are to the person (links to reference nodes, Region, do not count). A
  phone also seen in someone else's record or call stays: it is evidence about others;
- provenance of records that are kept (a Case named in the person's row, the other person of a
  sighting) stays, but a record id that spells out the person's id (``Z-1/P-0042/verdachte``) is
  replaced by a random ``erased-…`` token: the fact that the source attested the node remains,
  the identifier goes;
- every analysis document that mentions an erased uid: list elements equal to it are removed,
  objects whose ``uid``/``src``/``dst``/``source``/``target`` is it are dropped, keys equal to it
  are dropped, and the uid and the person's identifying values inside longer strings become
  ``[erased]`` — walked generically, so new result kinds are covered without code here;
- quarantined rows of the person's sources, in the table and in the JSON Lines files on disk,
  that contain one of the person's identifying values (name, birth date, document number, record
  or local id, and the numbers/IBANs/e-mail addresses of erased artefacts), compared after
  normalisation. This errs towards removing a quarantined row too many: quarantined rows were
  never part of the graph;
- and then the bytes: the store runs with ``secure_delete``; afterwards the WAL is checkpointed
  and truncated, the file is rebuilt with ``VACUUM`` and checkpointed again, so no page of the
  database, its WAL or its free list holds an erased value.

Retention drops provenance rows (``node_prov``, ``edge_obs``) of a source older than the
source's period, judged by the observation date (``seen`` / ``date``) or else the ingest date;
nodes and edges left without provenance go with everything derived from them (same helpers as
erasure), and quarantined rows of ingest runs started before the cutoff are removed from the
table and from disk.

Limits: properties merge "first value wins" without per-source attribution, so a node that
survives retention keeps property values first contributed by an expired record. Erasure acts on
one record of a person (one uid); records of the same human in other sources (``SAME_AS``) must be
erased one by one. Files are overwritten before they are replaced, but copy-on-write file systems
and SSD wear levelling may keep old blocks: keep the data directory on an encrypted volume.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from graph_model.schema import Schema, load_schema
from graph_model.store.sqlite import SQLiteStore
from ingest.normalise import (
    fold_name,
    normalise_date,
    normalise_email,
    normalise_iban,
    normalise_phone,
    normalise_plate,
)
from netzicht.retention import ErasureReport, RetentionReport, SourceRetention

# Public reference data, not anybody's personal data: never erased as an artefact, and a link to
# it does not make an artefact "shared".
REFERENCE_LABELS = frozenset({"Region"})
ERASED_RECORD_PREFIX = "erased-"
REDACTED = "[erased]"
# Keys that say which node an object in an analysis document is about.
_IDENTITY_KEYS = ("uid", "src", "dst", "source", "target")
_DROP = object()
_RAW_SPLIT = re.compile(r"[,;\t|]")
_WORDS = re.compile(r"[^\w]+")


# -- access to the store --------------------------------------------------------------------


@contextmanager
def _write(store: SQLiteStore) -> Iterator[sqlite3.Connection]:
    """One transaction under the store's write lock (the same lock its writers take)."""
    db, lock = _handles(store)
    with lock, db:
        yield db


def _handles(store: SQLiteStore) -> tuple[sqlite3.Connection, threading.Lock]:
    # The store keeps its connection private; erasure is part of the adapter, so it reaches in.
    return store._db, store._lock


def _uid_table(db: sqlite3.Connection, name: str, uids: Iterable[str]) -> int:
    """Fill a temporary table (in memory: the store sets temp_store=MEMORY) with uids."""
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (uid TEXT PRIMARY KEY)")
    db.execute(f"DELETE FROM temp.{name}")
    db.executemany(f"INSERT OR IGNORE INTO temp.{name} VALUES (?)", ((u,) for u in uids))
    return int(db.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0])


# -- removing nodes and everything derived from them ---------------------------------------------


@dataclass
class _Removed:
    nodes: int = 0
    edges: int = 0
    observations: int = 0
    provenance: int = 0
    local_ids: int = 0
    node_results: int = 0


def _remove_nodes(db: sqlite3.Connection, uids: Iterable[str]) -> _Removed:
    """Delete nodes with their edges, observations, provenance, local ids and node results."""
    if not _uid_table(db, "gone_nodes", uids):
        return _Removed()
    db.execute("CREATE TEMP TABLE IF NOT EXISTS gone_edges (id TEXT PRIMARY KEY)")
    db.execute("DELETE FROM temp.gone_edges")
    db.execute(
        "INSERT OR IGNORE INTO temp.gone_edges SELECT id FROM edges "
        "WHERE src IN (SELECT uid FROM temp.gone_nodes) OR dst IN (SELECT uid FROM temp.gone_nodes)"
    )
    removed = _Removed()
    removed.observations = db.execute(
        "DELETE FROM edge_obs WHERE edge IN (SELECT id FROM temp.gone_edges)"
    ).rowcount
    removed.edges = db.execute(
        "DELETE FROM edges WHERE id IN (SELECT id FROM temp.gone_edges)"
    ).rowcount
    for table in ("node_prov", "local_ids", "node_results", "nodes"):
        count = db.execute(
            f"DELETE FROM {table} WHERE uid IN (SELECT uid FROM temp.gone_nodes)"
        ).rowcount
        setattr(removed, {"node_prov": "provenance", "nodes": "nodes"}.get(table, table), count)
    return removed


def _remove_edges_without_observations(db: sqlite3.Connection, edge_ids: Iterable[str]) -> int:
    removed = 0
    for eid in edge_ids:
        removed += db.execute(
            "DELETE FROM edges WHERE id = ? AND NOT EXISTS (SELECT 1 FROM edge_obs WHERE edge = ?)",
            (eid, eid),
        ).rowcount
    return removed


# -- scrubbing analysis documents -------------------------------------------------------------


def scrub_document(value: Any, uids: frozenset[str], redact: tuple[str, ...] = ()) -> Any:
    """``value`` without any mention of ``uids``; returns the module's drop marker for a value
    that is itself about an erased node. ``redact`` strings inside longer text become [erased].

    >>> scrub_document({"members": ["A", "B"], "actors": [{"uid": "A"}, {"uid": "B"}]},
    ...                frozenset({"A"}))
    {'members': ['B'], 'actors': [{'uid': 'B'}]}
    """
    if isinstance(value, str):
        if value in uids:
            return _DROP
        for text in redact:
            if text in value:
                value = value.replace(text, REDACTED)
        return value
    if isinstance(value, list):
        kept = [scrub_document(v, uids, redact) for v in value]
        return [v for v in kept if v is not _DROP]
    if isinstance(value, dict):
        if any(isinstance(value.get(k), str) and value[k] in uids for k in _IDENTITY_KEYS):
            return _DROP
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in uids:
                continue
            cleaned = scrub_document(item, uids, redact)
            if cleaned is not _DROP:
                out[scrub_document(key, frozenset(), redact)] = cleaned
        return out
    return value


def _scrub_results(db: sqlite3.Connection, uids: frozenset[str], redact: tuple[str, ...]) -> int:
    """Rewrite every result document (and every node result) that mentions an erased node."""
    if not uids:
        return 0
    needles = tuple(uids) + redact
    changed = 0
    tables = (
        ("results", "SELECT run_id, NULL, document FROM results"),
        ("node_results", "SELECT run_id, uid, document FROM node_results"),
    )
    for table, select in tables:
        updates: list[tuple[str, str, str | None]] = []
        drops: list[tuple[str, str | None]] = []
        for run_id, uid, text in db.execute(select):  # streamed; changes are applied after
            if not any(n in text for n in needles):
                continue
            cleaned = scrub_document(json.loads(text), uids, redact)
            if cleaned is _DROP:
                drops.append((run_id, uid))
            else:
                new_text = orjson.dumps(cleaned, default=str).decode()
                if new_text != text:
                    updates.append((new_text, run_id, uid))
        for new_text, run_id, uid in updates:
            if table == "results":
                db.execute("UPDATE results SET document = ? WHERE run_id = ?", (new_text, run_id))
            else:
                db.execute(
                    "UPDATE node_results SET document = ? WHERE run_id = ? AND uid = ?",
                    (new_text, run_id, uid),
                )
        for run_id, uid in drops:
            if table == "results":
                db.execute("DELETE FROM results WHERE run_id = ?", (run_id,))
            else:
                db.execute("DELETE FROM node_results WHERE run_id = ? AND uid = ?", (run_id, uid))
        changed += len(updates) + len(drops)
    return changed


# -- recognising a person's values in quarantined rows -----------------------------------------


def _normalised(normalise: Callable[[str], Any], value: str) -> str | None:
    try:
        return str(normalise(value))
    except ValueError:
        return None


_NORMALISERS: dict[str, Callable[[str], Any]] = {
    "phone": normalise_phone,
    "iban": normalise_iban,
    "email": normalise_email,
    "plate": normalise_plate,
    "string": lambda v: v.strip().upper().replace(" ", ""),
}


@dataclass
class IdentifyingValues:
    """The values that identify an erased person in raw (quarantined) rows, normalised."""

    ids: set[str] = field(default_factory=set)  # record and local ids, exact
    names: set[str] = field(default_factory=set)  # folded full names
    dates: set[str] = field(default_factory=set)  # ISO birth dates
    numbers: dict[str, set[str]] = field(default_factory=dict)  # value type -> normalised values
    stored: set[str] = field(default_factory=set)  # the values as the store holds them

    def __bool__(self) -> bool:
        return bool(self.ids or self.names or self.dates or any(self.numbers.values()))

    def add_number(self, kind: str, value: str) -> None:
        normalise = _NORMALISERS.get(kind)
        if normalise is None:
            return
        normal = _normalised(normalise, value)
        if normal:
            self.numbers.setdefault(kind, set()).add(normal)
            self.stored.add(value)

    def redactions(self) -> tuple[str, ...]:
        """Values to blank out inside longer strings of analysis documents, longest first.

        Values shorter than four characters are left alone: blanking "12" everywhere would
        damage other people's results and identify no one.
        """
        values = {*self.ids, *self.dates, *self.stored}
        return tuple(sorted((v for v in values if len(v) >= 4), key=len, reverse=True))

    def matches(self, row: Any) -> bool:
        cells = list(_cells(row))
        words = {w for c in cells for w in _WORDS.split(fold_name(c)) if w}
        for cell in cells:
            text = cell.strip()
            if not text:
                continue
            if text in self.ids or fold_name(text) in self.names:
                return True
            if self.dates and _normalised(normalise_date, text) in self.dates:
                return True
            for kind, values in self.numbers.items():
                if _normalised(_NORMALISERS[kind], text) in values:
                    return True
        # A name split over columns (voornamen; achternaam) still names the person.
        for name in self.names:
            parts = [p for p in _WORDS.split(name) if p]
            if len(parts) >= 2 and set(parts) <= words:
                return True
        return False


def _cells(value: Any) -> Iterator[str]:
    """Every string in a quarantined row; an unparsable raw line is split on delimiters."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "raw" and isinstance(item, str):
                yield item
                yield from (c.strip().strip('"') for c in _RAW_SPLIT.split(item))
            else:
                yield from _cells(item)
    elif isinstance(value, list):
        for item in value:
            yield from _cells(item)
    elif isinstance(value, str):
        yield value
    elif value is not None:
        yield str(value)


def _identifying_values(
    db: sqlite3.Connection, schema: Schema, uids: Iterable[str], person: str
) -> IdentifyingValues:
    values = IdentifyingValues()
    parts = person.split(":", 2)
    if len(parts) == 3 and parts[2]:
        values.ids.add(parts[2])  # the record id in the source: Person:police:P-0042
    for uid in uids:
        row = db.execute("SELECT label, name, props FROM nodes WHERE uid = ?", (uid,)).fetchone()
        if row is None:
            continue
        label, name, props_text = row
        props: dict[str, Any] = json.loads(props_text)
        node_def = schema.nodes.get(label)
        if uid == person:
            if name:
                values.names.add(fold_name(name))
                values.stored.add(name)
            birth = props.get("birth_date")
            if isinstance(birth, str) and birth:
                values.dates.add(birth)
            document = props.get("document_number")
            if isinstance(document, str) and document:
                values.add_number("string", document)
        elif node_def is not None and len(node_def.identity) == 1:
            prop = node_def.identity[0]
            value = props.get(prop)
            if isinstance(value, str) and prop in node_def.properties:
                values.add_number(node_def.properties[prop].type, value)
        values.ids.update(
            local for (local,) in db.execute("SELECT local_id FROM local_ids WHERE uid = ?", (uid,))
        )
    return values


# -- quarantine: table and files ----------------------------------------------------------------


def _runs_of(db: sqlite3.Connection, sources: Iterable[str]) -> list[str]:
    runs: list[str] = []
    for source in sorted(set(sources)):
        runs.extend(
            r for (r,) in db.execute("SELECT run_id FROM ingest_runs WHERE source = ?", (source,))
        )
    return runs


def _erase_quarantine_rows(
    db: sqlite3.Connection, runs: list[str], values: IdentifyingValues
) -> int:
    removed = 0
    for run_id in runs:
        doomed = [
            rowid
            for rowid, text in db.execute(
                "SELECT rowid, row FROM quarantine WHERE run_id = ?", (run_id,)
            )
            if values.matches(json.loads(text))
        ]
        for rowid in doomed:
            removed += db.execute("DELETE FROM quarantine WHERE rowid = ?", (rowid,)).rowcount
    return removed


def _overwrite(path: Path) -> None:
    """Overwrite a file's bytes with zeros before it is replaced or removed."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.write(b"\0" * size)
        fh.flush()
        os.fsync(fh.fileno())


def _replace_securely(path: Path, data: bytes | None) -> None:
    """Write ``data`` in place of ``path`` (or remove it when None), old bytes zeroed first."""
    tmp: Path | None = None
    if data is not None:
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    _overwrite(path)
    if tmp is not None:
        os.replace(tmp, path)
    else:
        path.unlink()


def _erase_quarantine_files(
    quarantine_dir: Path, runs: list[str], values: IdentifyingValues
) -> tuple[int, int]:
    """(lines removed, files rewritten) in ``<quarantine_dir>/<run>/*.quarantine.jsonl``."""
    lines_removed = files = 0
    for run_id in runs:
        directory = quarantine_dir / run_id
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.quarantine.jsonl")):
            kept: list[bytes] = []
            dropped = 0
            for line in path.read_bytes().splitlines(keepends=True):
                try:
                    row = json.loads(line).get("row")
                except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
                    row = {"raw": line.decode("utf-8", "replace")}
                if line.strip() and values.matches(row):
                    dropped += 1
                else:
                    kept.append(line)
            if dropped:
                _replace_securely(path, b"".join(kept) if kept else None)
                lines_removed += dropped
                files += 1
    return lines_removed, files


# -- the bytes on disk --------------------------------------------------------------------------


def compact(store: SQLiteStore) -> tuple[bool, int]:
    """Checkpoint and truncate the WAL, VACUUM, checkpoint again: deleted rows leave no bytes.

    Returns ``(wal_truncated, free_pages)``. The WAL cannot be truncated while another
    connection (the dashboard, say) holds a read snapshot; then ``wal_truncated`` is False and
    the old pages may still be in the ``-wal`` file until the next checkpoint.
    """
    db, lock = _handles(store)
    with lock:
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        free_pages = int(db.execute("PRAGMA freelist_count").fetchone()[0])
    return busy == 0, free_pages


# -- erasure ------------------------------------------------------------------------------------


def _artefacts(
    db: sqlite3.Connection, schema: Schema, person: str, records: set[tuple[str, str]]
) -> set[str]:
    """Value-identified neighbours that exist only because of the person's own records."""
    found: set[str] = set()
    neighbours = db.execute(
        "SELECT dst FROM edges WHERE src = ? UNION SELECT src FROM edges WHERE dst = ?",
        (person, person),
    ).fetchall()
    for (uid,) in neighbours:
        row = db.execute("SELECT label FROM nodes WHERE uid = ?", (uid,)).fetchone()
        if row is None or row[0] in REFERENCE_LABELS:
            continue
        node_def = schema.nodes.get(row[0])
        if node_def is None or node_def.keyed_by_source_record:
            continue
        provenance = set(db.execute("SELECT source, record FROM node_prov WHERE uid = ?", (uid,)))
        if not provenance or not provenance <= records:
            continue
        others = db.execute(
            "SELECT n.label FROM edges e JOIN nodes n ON n.uid = "
            "CASE WHEN e.src = ? THEN e.dst ELSE e.src END "
            "WHERE (e.src = ? OR e.dst = ?) AND n.uid <> ?",
            (uid, uid, uid, person),
        ).fetchall()
        if all(label in REFERENCE_LABELS for (label,) in others):
            found.add(uid)
    return found


def _anonymise_records(db: sqlite3.Connection, sources: set[str], ids: set[str]) -> int:
    """Replace kept provenance record ids that spell out one of ``ids`` by random tokens."""
    if not ids:
        return 0
    pattern = re.compile(
        "|".join(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])" for i in sorted(ids))
    )
    ordered = sorted(ids)
    contains = " OR ".join("instr(record, ?) > 0" for _ in ordered)
    changed = 0
    tokens: dict[tuple[str, str], str] = {}
    for source in sorted(sources):
        for table, key in (("node_prov", "uid"), ("edge_obs", "edge")):
            rows = db.execute(
                f"SELECT {key}, record FROM {table} WHERE source = ? AND ({contains})",
                (source, *ordered),
            ).fetchall()
            for owner, record in rows:
                if not pattern.search(record):
                    continue
                token = tokens.setdefault(
                    (source, record), f"{ERASED_RECORD_PREFIX}{uuid.uuid4().hex[:16]}"
                )
                changed += db.execute(
                    f"UPDATE {table} SET record = ? WHERE {key} = ? AND source = ? AND record = ?",
                    (token, owner, source, record),
                ).rowcount
    return changed


def erase_person(store: SQLiteStore, uid: str, quarantine_dir: Path | None = None) -> ErasureReport:
    """Remove a person and everything derived from them; see the module docstring for the rule.

    Re-running it for an erased uid finds nothing and removes nothing, but still scrubs the uid
    from results and compacts the files (a safe way to finish an interrupted erasure).
    """
    schema = load_schema()
    report = ErasureReport()
    runs: list[str] = []
    with _write(store) as db:
        person = db.execute("SELECT label FROM nodes WHERE uid = ?", (uid,)).fetchone()
        records: set[tuple[str, str]] = set(
            db.execute("SELECT source, record FROM node_prov WHERE uid = ?", (uid,))
        )
        report.found = person is not None
        artefacts = _artefacts(db, schema, uid, records) if report.found else set()
        erased = {uid} | artefacts
        values = _identifying_values(db, schema, erased, uid)
        removed = _remove_nodes(db, erased)
        report.nodes, report.artefact_nodes = removed.nodes, len(artefacts)
        report.edges, report.observations = removed.edges, removed.observations
        report.provenance, report.local_ids = removed.provenance, removed.local_ids
        report.node_results = removed.node_results
        sources = {source for source, _ in records}
        report.provenance_anonymised = _anonymise_records(db, sources, values.ids)
        report.results_scrubbed = _scrub_results(
            db, frozenset(erased), (*sorted(erased, key=len, reverse=True), *values.redactions())
        )
        if values:
            runs = _runs_of(db, sources)
            report.quarantine_rows = _erase_quarantine_rows(db, runs, values)
    if quarantine_dir is not None and runs:
        report.quarantine_lines, report.files_rewritten = _erase_quarantine_files(
            quarantine_dir, runs, values
        )
    report.wal_truncated, report.free_pages = compact(store)
    return report


# -- retention ----------------------------------------------------------------------------------


def _recompute_seen(db: sqlite3.Connection, uids: set[str], edge_ids: set[str]) -> None:
    """first_seen/last_seen of survivors from the observations that are left."""
    for uid in uids:
        db.execute(
            "UPDATE nodes SET first_seen = (SELECT min(seen) FROM node_prov WHERE uid = ?), "
            "last_seen = (SELECT max(seen) FROM node_prov WHERE uid = ?) WHERE uid = ?",
            (uid, uid, uid),
        )
    for eid in edge_ids:
        db.execute(
            "UPDATE edges SET first_seen = (SELECT min(date) FROM edge_obs WHERE edge = ?), "
            "last_seen = (SELECT max(date) FROM edge_obs WHERE edge = ?) WHERE id = ?",
            (eid, eid, eid),
        )


def _expire_source(
    db: sqlite3.Connection, source: str, cutoff: str, result: SourceRetention
) -> list[str]:
    """Delete the source's expired provenance and what it leaves orphaned; return expired runs."""
    touched_nodes = {
        u
        for (u,) in db.execute(
            "SELECT DISTINCT uid FROM node_prov WHERE source = ? "
            "AND substr(coalesce(seen, ingested_at), 1, 10) < ?",
            (source, cutoff),
        )
    }
    touched_edges = {
        e
        for (e,) in db.execute(
            "SELECT DISTINCT edge FROM edge_obs WHERE source = ? "
            "AND substr(coalesce(date, ingested_at), 1, 10) < ?",
            (source, cutoff),
        )
    }
    result.provenance = db.execute(
        "DELETE FROM node_prov WHERE source = ? AND substr(coalesce(seen, ingested_at), 1, 10) < ?",
        (source, cutoff),
    ).rowcount
    result.observations = db.execute(
        "DELETE FROM edge_obs WHERE source = ? AND substr(coalesce(date, ingested_at), 1, 10) < ?",
        (source, cutoff),
    ).rowcount
    orphans = {
        u
        for u in touched_nodes
        if db.execute("SELECT 1 FROM node_prov WHERE uid = ? LIMIT 1", (u,)).fetchone() is None
    }
    removed = _remove_nodes(db, orphans)
    result.nodes, result.node_results = removed.nodes, removed.node_results
    result.observations += removed.observations
    result.edges = removed.edges + _remove_edges_without_observations(db, touched_edges)
    result.results_scrubbed = _scrub_results(db, frozenset(orphans), ())
    _recompute_seen(db, touched_nodes - orphans, touched_edges)
    expired = [
        r
        for (r,) in db.execute(
            "SELECT run_id FROM ingest_runs WHERE source = ? AND substr(started, 1, 10) < ?",
            (source, cutoff),
        )
    ]
    for run_id in expired:
        result.quarantine_rows += db.execute(
            "DELETE FROM quarantine WHERE run_id = ?", (run_id,)
        ).rowcount
    return expired


def apply_retention(
    store: SQLiteStore,
    retention_days: Mapping[str, int],
    today: dt.date,
    quarantine_dir: Path | None = None,
) -> RetentionReport:
    """Purge, per source, what is older than its retention period. Idempotent."""
    report = RetentionReport(today=today.isoformat())
    for source, days in sorted(retention_days.items()):
        cutoff = (today - dt.timedelta(days=days)).isoformat()
        result = SourceRetention(retention_days=days, cutoff=cutoff)
        with _write(store) as db:
            expired_runs = _expire_source(db, source, cutoff, result)
        if quarantine_dir is not None:
            for run_id in expired_runs:
                directory = quarantine_dir / run_id
                if not directory.is_dir():
                    continue
                for path in sorted(directory.glob("*.quarantine.jsonl")):
                    _replace_securely(path, None)
                    result.quarantine_files += 1
                if not any(directory.iterdir()):
                    directory.rmdir()
        report.sources[source] = result
    if any(r.removed_anything for r in report.sources.values()):
        report.compacted = True
        report.wal_truncated, report.free_pages = compact(store)
    return report
