"""The embedded store: one SQLite file in WAL mode.

Why these choices:
- WAL lets a reader (the dashboard) read while an ingest writes. Each batch is staged in one
  transaction, and staged rows reach the indexed tables in merges, each one transaction (see
  _STAGING): a reader sees whole merges, never part of one.
- A tie (src, type, dst) is one row in `edges`; every observation of it (a dated call, a
  transfer) is a row in `edge_obs`, keyed by (edge, source, record). Re-ingesting the same rows
  hits the same keys, so it changes nothing.
- Node provenance (`node_prov`) is keyed by (uid, source, record) and only ever added to.
- Properties merge with "first value wins": a later source adds what is missing, never overwrites.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from graph_model.identity import edge_id
from graph_model.models import Edge, Node, Provenance
from graph_model.store.base import (
    IngestRunSummary,
    QuarantineRecord,
    StoreStats,
    Subgraph,
    TieRow,
    WriteBatch,
)
from ingest.normalise import fold_name
from netzicht.errors import StoreError

_DDL = """
CREATE TABLE IF NOT EXISTS nodes (
    uid TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    props TEXT NOT NULL DEFAULT '{}',
    search TEXT NOT NULL DEFAULT '',
    first_seen TEXT,
    last_seen TEXT
);
CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label);
CREATE TABLE IF NOT EXISTS node_prov (
    uid TEXT NOT NULL,
    source TEXT NOT NULL,
    record TEXT NOT NULL,
    seen TEXT,
    ingested_at TEXT NOT NULL,
    PRIMARY KEY (uid, source, record)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (
    id TEXT PRIMARY KEY,
    src TEXT NOT NULL,
    type TEXT NOT NULL,
    dst TEXT NOT NULL,
    props TEXT NOT NULL DEFAULT '{}',
    first_seen TEXT,
    last_seen TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_src ON edges(src);
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst);
CREATE TABLE IF NOT EXISTS edge_obs (
    edge TEXT NOT NULL,
    source TEXT NOT NULL,
    record TEXT NOT NULL,
    date TEXT,
    weight REAL NOT NULL DEFAULT 1.0,
    amount REAL,
    ingested_at TEXT NOT NULL,
    PRIMARY KEY (edge, source, record)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS local_ids (
    source TEXT NOT NULL,
    local_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    PRIMARY KEY (source, local_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    mapping TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    rows_read INTEGER NOT NULL DEFAULT 0,
    rows_ingested INTEGER NOT NULL DEFAULT 0,
    rows_quarantined INTEGER NOT NULL DEFAULT 0,
    files TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS quarantine (
    run_id TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    row TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_run ON quarantine(run_id);
CREATE TABLE IF NOT EXISTS results (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS node_results (
    run_id TEXT NOT NULL,
    uid TEXT NOT NULL,
    network TEXT,
    document TEXT NOT NULL,
    PRIMARY KEY (run_id, uid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS node_results_uid ON node_results(uid);
"""

# Writes go through staging: a batch is appended to connection-private TEMP tables (no index
# to keep up), and a merge moves what is staged into the indexed tables with one statement per
# table, in key order. Sorted, a merge walks each B-tree once instead of jumping to a random
# leaf for every row, which made an ingest slow down as the store grew (1,167 rows/s at 1M
# rows). Within one key the staged rows merge in the order they were written (rowid), so "first
# value wins" holds exactly as if each batch had been written on its own. The WHERE clause is
# SQLite's required disambiguation for an upsert fed by a SELECT.
_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS stage_nodes
    (uid, label, name, props, search, first_seen, last_seen);
CREATE TEMP TABLE IF NOT EXISTS stage_prov (uid, source, record, seen, ingested_at);
CREATE TEMP TABLE IF NOT EXISTS stage_edges (id, src, type, dst, props, first_seen, last_seen);
CREATE TEMP TABLE IF NOT EXISTS stage_obs (edge, source, record, date, weight, amount, ingested_at);
"""
# A prepared batch is a small SQLite database image (Connection.serialize) with its rows in
# these tables: whoever prepares it (an ingest worker process) binds every value, and the
# writing connection copies the rows into staging with one INSERT … SELECT per table.
_BATCH_DDL = """
CREATE TABLE batch_nodes (uid, label, name, props, search, first_seen, last_seen);
CREATE TABLE batch_prov (uid, source, record, seen);
CREATE TABLE batch_edges (id, src, type, dst, props, first_seen, last_seen);
CREATE TABLE batch_obs (edge, source, record, date, weight, amount);
"""
_FILL_BATCH = (
    "INSERT INTO batch_nodes VALUES (?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO batch_prov VALUES (?, ?, ?, ?)",
    "INSERT INTO batch_edges VALUES (?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO batch_obs VALUES (?, ?, ?, ?, ?, ?)",
)
_STAGE = (  # ?1: the ingest time of the batch
    "INSERT INTO temp.stage_nodes SELECT * FROM batch.batch_nodes",
    "INSERT INTO temp.stage_prov SELECT *, ?1 FROM batch.batch_prov",
    "INSERT INTO temp.stage_edges SELECT * FROM batch.batch_edges",
    "INSERT INTO temp.stage_obs SELECT *, ?1 FROM batch.batch_obs",
)
# A merge runs when this many rows are staged (and when an ingest run finishes): ~150 MB of
# staged rows in memory at most, and readers see an ingest's progress in steps of this size.
MERGE_ROWS = 1_000_000
_UPSERT_NODE = """
INSERT INTO nodes (uid, label, name, props, search, first_seen, last_seen)
{rows}
ON CONFLICT(uid) DO UPDATE SET
    name = CASE WHEN nodes.name = '' THEN excluded.name ELSE nodes.name END,
    props = CASE WHEN excluded.props = '{{}}' THEN nodes.props
                 ELSE json_patch(excluded.props, nodes.props) END,
    search = CASE WHEN excluded.search IN ('', nodes.search) THEN nodes.search
                  ELSE merged_search_text(
                      CASE WHEN nodes.name = '' THEN excluded.name ELSE nodes.name END,
                      CASE WHEN excluded.props = '{{}}' THEN nodes.props
                           ELSE json_patch(excluded.props, nodes.props) END) END,
    first_seen = min(coalesce(nodes.first_seen, excluded.first_seen),
                     coalesce(excluded.first_seen, nodes.first_seen)),
    last_seen = max(coalesce(nodes.last_seen, excluded.last_seen),
                    coalesce(excluded.last_seen, nodes.last_seen))
"""
_INSERT_PROV = "INSERT OR IGNORE INTO node_prov (uid, source, record, seen, ingested_at) {rows}"
_UPSERT_EDGE = """
INSERT INTO edges (id, src, type, dst, props, first_seen, last_seen)
{rows}
ON CONFLICT(id) DO UPDATE SET
    props = CASE WHEN excluded.props = '{{}}' THEN edges.props
                 ELSE json_patch(excluded.props, edges.props) END,
    first_seen = min(coalesce(edges.first_seen, excluded.first_seen),
                     coalesce(excluded.first_seen, edges.first_seen)),
    last_seen = max(coalesce(edges.last_seen, excluded.last_seen),
                    coalesce(excluded.last_seen, edges.last_seen))
"""
_INSERT_OBS = (
    "INSERT OR IGNORE INTO edge_obs (edge, source, record, date, weight, amount, ingested_at) "
    "{rows}"
)


_MERGES = (
    _UPSERT_NODE.format(rows="SELECT * FROM temp.stage_nodes WHERE true ORDER BY uid, rowid"),
    _INSERT_PROV.format(rows="SELECT * FROM temp.stage_prov ORDER BY uid, source, record, rowid"),
    _UPSERT_EDGE.format(rows="SELECT * FROM temp.stage_edges WHERE true ORDER BY id, rowid"),
    _INSERT_OBS.format(rows="SELECT * FROM temp.stage_obs ORDER BY edge, source, record, rowid"),
)
_EDGE_PROPS_ON_OBSERVATION = frozenset({"weight", "amount", "date"})
Rows = list[tuple[Any, ...]]


def _prepare(batch: WriteBatch) -> tuple[Rows, Rows, Rows, Rows]:
    """Merge a batch into one row per node, tie and provenance key, in first-seen order.

    Within a batch the merge follows the same rules as the upserts across batches: first
    value wins for name and properties, seen dates widen the first/last window.
    """
    nodes: dict[str, list[Any]] = {}
    node_prov: dict[tuple[str, str, str], str | None] = {}
    for n in batch.nodes:
        seen = n.seen
        row = nodes.get(n.uid)
        if row is None:
            # Records of one node often share one properties dict: copy only to merge.
            nodes[n.uid] = [n.uid, n.label, n.name, n.properties, seen, seen, False]
        else:
            if not row[2] and n.name:
                row[2] = n.name
            props = n.properties
            if props is not row[3] and not props.keys() <= row[3].keys():
                if not row[6]:
                    row[3], row[6] = dict(row[3]), True
                for key, value in props.items():
                    row[3].setdefault(key, value)
            if seen is not None:
                if row[4] is None or seen < row[4]:
                    row[4] = seen
                if row[5] is None or seen > row[5]:
                    row[5] = seen
        node_prov.setdefault((n.uid, n.source, n.record), seen)
    ties: dict[tuple[str, str, str], list[Any]] = {}
    obs: dict[tuple[tuple[str, str, str], str, str], tuple[str | None, float, float | None]] = {}
    for e in batch.edges:
        tie = (e.src, e.type, e.dst)
        date = e.date
        row = ties.get(tie)
        if row is None:
            props = {k: v for k, v in e.properties.items() if k not in _EDGE_PROPS_ON_OBSERVATION}
            ties[tie] = [props, date, date]
        else:
            for key, value in e.properties.items():
                if key not in _EDGE_PROPS_ON_OBSERVATION:
                    row[0].setdefault(key, value)
            if date is not None:
                if row[1] is None or date < row[1]:
                    row[1] = date
                if row[2] is None or date > row[2]:
                    row[2] = date
        okey = (tie, e.source, e.record)
        if okey not in obs:
            amount = e.properties.get("amount")
            obs[okey] = (date, e.weight, float(amount) if amount is not None else None)
    ids = {tie: edge_id(*tie) for tie in ties}
    return (
        [
            (r[0], r[1], r[2], _dumps(r[3]), search_text(r[2], r[3]), r[4], r[5])
            for r in nodes.values()
        ],
        [(k[0], k[1], k[2], seen) for k, seen in node_prov.items()],
        [(ids[t], t[0], t[1], t[2], _dumps(r[0]), r[1], r[2]) for t, r in ties.items()],
        [(ids[k[0]], k[1], k[2], *v) for k, v in obs.items()],
    )


@dataclass(slots=True)
class PreparedWrite:
    """A batch ready to stage: its nodes, node provenance, ties and observations, one row per
    key, in a serialized SQLite database (see _BATCH_DDL)."""

    image: bytes
    rows: int
    local_ids: list[tuple[str, str, str]]


def prepare_write(batch: WriteBatch) -> PreparedWrite:
    """The part of a write that needs no store (it can run in another process)."""
    tables = _prepare(batch)
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_BATCH_DDL)
        for sql, rows in zip(_FILL_BATCH, tables, strict=True):
            db.executemany(sql, rows)
        db.commit()
        image = db.serialize()
    finally:
        db.close()
    return PreparedWrite(image, sum(map(len, tables)), batch.local_ids)


def _dumps(value: dict[str, Any]) -> str:
    return orjson.dumps(value, default=str).decode()


def search_fold(value: str) -> str:
    """A name or value as a node's search text holds it."""
    return value.lower() if value.isascii() else fold_name(value)


def search_terms(name: str, properties: dict[str, Any]) -> dict[str, str]:
    """The folded value of each property a node is found by: short identifier-like text other
    than its name."""
    return {
        key: search_fold(value)
        for key, value in properties.items()
        if isinstance(value, str) and len(value) <= 64 and value != name
    }


def search_text(name: str, properties: dict[str, Any], terms: dict[str, str] | None = None) -> str:
    """What a node is found by: its folded name, then every short identifier-like value
    (`terms`: `search_terms(name, properties)`, when the caller has them already).

    The values are sorted, so the text depends on what a node holds, not on the order its
    records arrived in.
    """
    values = sorted((search_terms(name, properties) if terms is None else terms).values())
    return " ".join([search_fold(name), *values] if name else values)


def _merged_search_text(name: str, properties: str) -> str:
    return search_text(name, json.loads(properties))


class SQLiteStore:
    """GraphStore on one SQLite file. Safe to use from one thread per instance."""

    # Optional fast path for the ingest: write_batch may run on a background thread while the
    # caller maps the next batch. Each write is a few long statements that release the GIL.
    background_writes = True

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.uri = f"sqlite:///{self.path}"
        if read_only and not self.path.exists():
            raise StoreError(f"store {self.path} does not exist")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=OFF")
        self._db.execute("PRAGMA cache_size=-262144")  # 256 MiB page cache
        self._db.execute("PRAGMA temp_store=MEMORY")
        # Erased values must not linger in free pages (privacy: erasure).
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(_DDL)
        self._db.commit()
        # A node's search text follows its merged name and properties (the node upsert).
        self._db.create_function("merged_search_text", 2, _merged_search_text, deterministic=True)
        self._staging = False  # the TEMP staging tables exist on this connection
        self._staged = 0  # rows staged and not merged yet
        self.merge_rows = MERGE_ROWS

    # -- writing ---------------------------------------------------------------------------

    def write_batch(self, batch: WriteBatch, ingested_at: str) -> None:
        """Write one batch now: staged and merged in one transaction."""
        with self._lock, self._db:
            self._stage(prepare_write(batch), ingested_at)
            self._merge()

    # An ingest may map and prepare batches in worker processes (ingest/parallel.py): what
    # prepare_write returns pickles, and write_prepared needs nothing else of the batch.
    prepare_write = staticmethod(prepare_write)

    def write_prepared(self, prepared: PreparedWrite, ingested_at: str) -> None:
        """Stage one batch (one transaction); merge once MERGE_ROWS rows are staged. An ingest
        run's rows are all merged by `finish_run`."""
        with self._lock, self._db:
            self._stage(prepared, ingested_at)
            if self._staged >= self.merge_rows:
                self._merge()

    def flush(self) -> None:
        """Merge whatever is staged (one transaction)."""
        if self._staged:
            with self._lock, self._db:
                self._merge()

    def _stage(self, prepared: PreparedWrite, ingested_at: str) -> None:
        """Copy a prepared batch into staging (the caller holds the transaction open)."""
        if not self._staging:
            self._db.executescript(_STAGING)
            self._db.execute("ATTACH ':memory:' AS batch")
            self._staging = True
        # Replaces the attached database; allowed because no statement has run yet in the
        # caller's transaction (Python opens it at the first INSERT).
        self._db.deserialize(prepared.image, name="batch")
        for sql in _STAGE:
            self._db.execute(sql, (ingested_at,) if "?1" in sql else ())
        self._staged += prepared.rows
        if prepared.local_ids:
            self._db.executemany(
                "INSERT OR IGNORE INTO local_ids VALUES (?, ?, ?)", prepared.local_ids
            )

    def _merge(self) -> None:
        """Move the staged rows into the indexed tables (inside the caller's transaction)."""
        if not self._staged:
            return
        for sql in _MERGES:
            self._db.execute(sql)
        for table in ("stage_nodes", "stage_prov", "stage_edges", "stage_obs"):
            self._db.execute(f"DELETE FROM temp.{table}")
        self._staged = 0

    def reader(self) -> SQLiteStore:
        """A new connection to the same file, e.g. for a worker process (a connection must
        never be used on both sides of a fork)."""
        return SQLiteStore(self.path, read_only=True)

    def resolve_local_ids(self, source: str, local_ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(local_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT local_id, uid FROM local_ids WHERE source = ? AND local_id IN ({marks})",
                [source, *chunk],
            )
            found.update(dict(rows.fetchall()))
        return found

    def begin_run(self, source: str, mapping: str, started: str) -> str:
        run_id = f"ingest-{started[:10]}-{uuid.uuid4().hex[:8]}"
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO ingest_runs (run_id, source, mapping, started) VALUES (?, ?, ?, ?)",
                (run_id, source, mapping, started),
            )
        return run_id

    def finish_run(self, summary: IngestRunSummary) -> None:
        with self._lock, self._db:
            self._merge()  # a run is finished only with all its rows in the graph
            self._db.execute(
                "UPDATE ingest_runs SET finished = ?, rows_read = ?, rows_ingested = ?, "
                "rows_quarantined = ?, files = ? WHERE run_id = ?",
                (
                    summary.finished,
                    summary.rows_read,
                    summary.rows_ingested,
                    summary.rows_quarantined,
                    json.dumps(summary.files, ensure_ascii=False, default=str),
                    summary.run_id,
                ),
            )

    def add_quarantine(self, run_id: str, rows: Sequence[QuarantineRecord]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
                [(run_id, q.file, q.line, q.field, q.reason, _dumps(q.row)) for q in rows],
            )

    # -- reading ---------------------------------------------------------------------------

    def _node(self, row: sqlite3.Row | tuple[Any, ...], with_sources: bool = False) -> Node:
        uid, label, name, props, first_seen, last_seen = row
        sources: list[Provenance] = []
        if with_sources:
            sources = [
                Provenance(source=s, record=r, seen=seen, ingested_at=at)
                for s, r, seen, at in self._db.execute(
                    "SELECT source, record, seen, ingested_at FROM node_prov WHERE uid = ? "
                    "ORDER BY source, record",
                    (uid,),
                )
            ]
        return Node(
            uid=uid,
            label=label,
            name=name,
            properties=json.loads(props),
            first_seen=first_seen,
            last_seen=last_seen,
            sources=sources,
        )

    _NODE_COLUMNS = "uid, label, name, props, first_seen, last_seen"

    def get_node(self, uid: str) -> Node | None:
        row = self._db.execute(
            f"SELECT {self._NODE_COLUMNS} FROM nodes WHERE uid = ?", (uid,)
        ).fetchone()
        return None if row is None else self._node(row, with_sources=True)

    def get_nodes(self, uids: Sequence[str]) -> list[Node]:
        out: list[Node] = []
        for start in range(0, len(uids), 500):
            chunk = list(uids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT {self._NODE_COLUMNS} FROM nodes WHERE uid IN ({marks})", chunk
            )
            out.extend(self._node(r) for r in rows)
        order = {uid: i for i, uid in enumerate(uids)}
        return sorted(out, key=lambda n: order[n.uid])

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        needle = fold_name(text)
        if not needle:
            return []
        # Escape LIKE wildcards so a search for "50%" means the characters, not a pattern.
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        sql = f"SELECT {self._NODE_COLUMNS} FROM nodes WHERE search LIKE ? ESCAPE '\\'"
        params: list[Any] = [pattern]
        if labels:
            sql += f" AND label IN ({','.join('?' * len(labels))})"
            params.extend(labels)
        sql += " ORDER BY (search LIKE ? ESCAPE '\\') DESC, length(name), uid LIMIT ?"
        params.extend([needle.replace("%", "\\%").replace("_", "\\_") + "%", limit])
        return [self._node(r) for r in self._db.execute(sql, params)]

    def _edges_of(self, uids: Sequence[str], types: Sequence[str] | None) -> list[Edge]:
        out: dict[str, Edge] = {}
        for start in range(0, len(uids), 400):
            chunk = list(uids[start : start + 400])
            marks = ",".join("?" * len(chunk))
            sql = (
                "SELECT e.id, e.src, e.type, e.dst, e.props, e.first_seen, e.last_seen, "
                "count(o.edge), coalesce(sum(o.weight), 0) FROM edges e "
                "LEFT JOIN edge_obs o ON o.edge = e.id "
                f"WHERE (e.src IN ({marks}) OR e.dst IN ({marks}))"
            )
            params: list[Any] = [*chunk, *chunk]
            if types:
                sql += f" AND e.type IN ({','.join('?' * len(types))})"
                params.extend(types)
            sql += " GROUP BY e.id"
            for eid, src, typ, dst, props, first, last, n_obs, weight in self._db.execute(
                sql, params
            ):
                out[eid] = Edge(
                    id=eid,
                    src=src,
                    dst=dst,
                    type=typ,
                    properties=json.loads(props),
                    first_seen=first,
                    last_seen=last,
                    observations=n_obs,
                    weight=weight,
                )
        return sorted(out.values(), key=lambda e: e.id)

    def neighbourhood(
        self, uid: str, hops: int = 1, limit: int = 200, types: Sequence[str] | None = None
    ) -> Subgraph:
        seen: list[str] = [uid]
        frontier = [uid]
        truncated = False
        for _ in range(max(hops, 0)):
            edges = self._edges_of(frontier, types)
            nxt: list[str] = []
            known = set(seen)
            for e in edges:
                for other in (e.src, e.dst):
                    if other not in known:
                        known.add(other)
                        nxt.append(other)
            if len(seen) + len(nxt) > limit:
                nxt = nxt[: max(limit - len(seen), 0)]
                truncated = True
            seen.extend(nxt)
            frontier = nxt
            if truncated or not frontier:
                break
        nodes = self.get_nodes(seen)
        keep = set(seen)
        edges = [e for e in self._edges_of(seen, types) if e.src in keep and e.dst in keep]
        return Subgraph(nodes=nodes, edges=edges, truncated=truncated)

    def stats(self) -> StoreStats:
        nodes = dict(
            self._db.execute("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY label")
        )
        edges = dict(
            self._db.execute("SELECT type, count(*) FROM edges GROUP BY type ORDER BY type")
        )
        return StoreStats(nodes=nodes, edges=edges)

    def runs(self, limit: int = 50) -> list[IngestRunSummary]:
        rows = self._db.execute(
            "SELECT run_id, source, mapping, started, finished, rows_read, rows_ingested, "
            "rows_quarantined, files FROM ingest_runs ORDER BY started DESC, run_id LIMIT ?",
            (limit,),
        )
        return [
            IngestRunSummary(
                run_id=r[0],
                source=r[1],
                mapping=r[2],
                started=r[3],
                finished=r[4],
                rows_read=r[5],
                rows_ingested=r[6],
                rows_quarantined=r[7],
                files=json.loads(r[8]),
            )
            for r in rows
        ]

    def quarantine(self, run_id: str | None = None, limit: int = 1000) -> list[QuarantineRecord]:
        sql = "SELECT file, line, field, reason, row FROM quarantine"
        params: list[Any] = []
        if run_id is not None:
            sql += " WHERE run_id = ?"
            params.append(run_id)
        sql += " ORDER BY rowid LIMIT ?"
        params.append(limit)
        return [
            QuarantineRecord(file=f, line=ln, field=fd, reason=r, row=json.loads(row))
            for f, ln, fd, r, row in self._db.execute(sql, params)
        ]

    # -- streaming for analytics -------------------------------------------------------------

    def iter_nodes(self, labels: Sequence[str] | None = None) -> Iterator[Node]:
        sql = f"SELECT {self._NODE_COLUMNS} FROM nodes"
        params: list[Any] = []
        if labels:
            sql += f" WHERE label IN ({','.join('?' * len(labels))})"
            params.extend(labels)
        cursor = self._db.cursor()
        cursor.arraysize = 10_000
        for row in cursor.execute(sql + " ORDER BY uid", params):
            yield self._node(row)

    def iter_ties(
        self,
        types: Sequence[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> Iterator[TieRow]:
        # Undated observations (a shared address, a phone in use) have no time; they count in
        # every window, because the source gives no reason to drop them.
        sql = (
            "SELECT e.src, e.dst, e.type, sum(o.weight), count(*), min(o.date), max(o.date), "
            "coalesce(sum(o.amount), 0) FROM edges e JOIN edge_obs o ON o.edge = e.id WHERE 1=1"
        )
        params: list[Any] = []
        if types:
            sql += f" AND e.type IN ({','.join('?' * len(types))})"
            params.extend(types)
        if since is not None:
            sql += " AND (o.date IS NULL OR o.date >= ?)"
            params.append(since.isoformat())
        if until is not None:
            sql += " AND (o.date IS NULL OR o.date <= ?)"
            params.append(until.isoformat())
        sql += " GROUP BY e.id ORDER BY e.id"
        cursor = self._db.cursor()
        cursor.arraysize = 10_000
        for row in cursor.execute(sql, params):
            yield TieRow(*row)

    # -- analytics results -------------------------------------------------------------------

    def save_result(self, run_id: str, kind: str, created: str, document: dict[str, Any]) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                (run_id, kind, created, _dumps(document)),
            )

    def latest_result(self, kind: str) -> tuple[str, dict[str, Any]] | None:
        row = self._db.execute(
            "SELECT run_id, document FROM results WHERE kind = ? ORDER BY created DESC, run_id "
            "DESC LIMIT 1",
            (kind,),
        ).fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    def latest_result_id(self, kind: str) -> str | None:
        """The newest run id of a kind, without reading (or parsing) its document."""
        row = self._db.execute(
            "SELECT run_id FROM results WHERE kind = ? ORDER BY created DESC, run_id DESC LIMIT 1",
            (kind,),
        ).fetchone()
        return None if row is None else str(row[0])

    def result(self, run_id: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT document FROM results WHERE run_id = ?", (run_id,)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def save_node_results(
        self, run_id: str, rows: Sequence[tuple[str, str | None, dict[str, Any]]]
    ) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO node_results VALUES (?, ?, ?, ?)",
                [(run_id, uid, network, _dumps(doc)) for uid, network, doc in rows],
            )

    def node_result(self, uid: str, run_id: str | None = None) -> dict[str, Any] | None:
        if run_id is None:
            row = self._db.execute(
                "SELECT n.document FROM node_results n JOIN results r ON r.run_id = n.run_id "
                "WHERE n.uid = ? ORDER BY r.created DESC LIMIT 1",
                (uid,),
            ).fetchone()
        else:
            row = self._db.execute(
                "SELECT document FROM node_results WHERE run_id = ? AND uid = ?", (run_id, uid)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def close(self) -> None:
        self.flush()
        self._db.close()
