"""The server store: a Neo4j 5.26 database (single server, cluster via neo4j:// routing, or Aura).

It behaves like `SQLiteStore` — the same uids, the same merge rules, the same answers — so the
CLI, the dashboard and the analytics do not know which one they talk to. Every statement comes
from `cypher/*.cypher` through the registry; values travel only as parameters, and the labels
and relationship types filled into a statement come from the schema's allow-list.

Graph layout (and why):

- A node has its schema label (`:Person`, `:Phone`, ...) and its schema properties as plain
  Neo4j properties, so the constraints and indexes of `cypher/schema.cypher`, Browser/Bloom and
  GDS see them directly. Next to them it keeps a few store properties, none of which the schema
  uses (`RESERVED_NODE_KEYS`, checked by a test): `uid`, `display_name` (the Node's name),
  `search` (the folded text search looks in; it gains the name and values later records bring,
  as SQLite's does), `first_seen`/`last_seen`, and its provenance as
  three parallel lists `prov_keys` ("source\\x1frecord"), `prov_seen` ("" when undated) and
  `prov_ingested`. A uid's label is its prefix (`Phone:+316...`), so every uid lookup is an index
  seek on that label's uniqueness constraint; no catch-all label is needed.
- A tie (src)-[TYPE]->(dst) is ONE relationship, like one row of SQLite's `edges`. Its
  observations (SQLite's `edge_obs`) are parallel lists `obs_keys` ("source\\x1frecord"),
  `obs_dates` ("" when undated), `obs_weights` and `obs_amounts` (0.0 when none), merged with
  list-union semantics on the key, so ingesting the same rows again adds nothing. The
  relationship also carries the sums `weight`, `amount` and `observations`, kept up to date by
  the merge, so GDS can project aggregated weights without reading the lists, and `id` (the
  same 16-hex tie id as SQLite) for ordered paging. One relationship per tie keeps MERGE cheap
  (no per-observation relationship scan) and the graph the size of the tie set.
- Ingest runs, quarantined rows, analysis results and local-id mappings are bookkeeping nodes
  (`IngestRun`, `QuarantineRow`, `Result`, `NodeResult`, `LocalId`) without relationships; they
  are never counted as graph nodes.

Writes are managed transactions (`execute_write`), which the driver retries on transient errors
and lost connections; one `write_batch` is one transaction, and every statement in it is an
idempotent merge, so a batch retried after a commit whose answer was lost, or a whole ingest run
again after a server restart, ends with exactly the graph of one clean run.

Ingest batches are written by one background thread (`pipelined=True`, the default), in order,
while the pipeline reads and normalises the next rows: the server works while Python parses. At
most two batches wait. Every other call first waits for the pending writes (reads see every batch
written before them), and a failed background write is raised as `StoreError` by the next call
(`finish_run` at the latest), so a failed ingest never reports success. Within a batch the
statements are streamed: the writer's transaction starts with the first label's rows while the
calling thread builds the next ones (`_Statements`), and a batch whose rows cannot be built is
rolled back whole. The store does not set `background_writes` for the pipeline: its own writer
already overlaps the server with the parsing, and a second Python thread building rows only
shares the one interpreter lock (measured: no gain at 20,000 or 100,000 rows).

Why provenance stays as lists on the node, and not one indexed node per (node, source, record)
that would make adding an entry O(log n) however many a node has: writing the provenance of the
20,000-row bench as such nodes (a MERGE on a uniqueness constraint, plus an index on uid) took
4.8 s on its own, about as long as the bare script's whole ingest, and 26.7 s at 100,000 rows;
the lists cost ~1.4 s of the store's ~8 s at 20,000 rows, and the part that grows with a hot
node's list (the `Region` nodes) 0.4 s at 100,000 rows. It would pay only far beyond that.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import json
import queue
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

import neo4j
import orjson
from neo4j.exceptions import AuthError, ConfigurationError, Neo4jError, ServiceUnavailable

from cypher.registry import Registry, default_registry
from graph_model.identity import edge_id, label_of
from graph_model.models import Edge, Node, Provenance
from graph_model.store.base import (
    EdgeRecord,
    IngestRunSummary,
    NodeRecord,
    QuarantineRecord,
    StoreStats,
    Subgraph,
    TieRow,
    WriteBatch,
)
from graph_model.store.sqlite import search_fold, search_terms, search_text
from netzicht.errors import StoreError

KEY_SEPARATOR = "\x1f"
RESERVED_NODE_KEYS = frozenset(
    {
        "uid",
        "display_name",
        "search",
        "first_seen",
        "last_seen",
        "prov_keys",
        "prov_seen",
        "prov_ingested",
    }
)
RESERVED_TIE_KEYS = frozenset(
    {
        "id",
        "first_seen",
        "last_seen",
        "weight",
        "amount",
        "observations",
        "obs_keys",
        "obs_dates",
        "obs_weights",
        "obs_amounts",
    }
)
_EDGE_PROPS_ON_OBSERVATION = frozenset({"weight", "amount", "date"})
_PAGE = 10_000
_CHUNK = 5_000
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch's rows are built.

    Building rows allocates a few dicts and lists per input row, and every few hundred
    allocations CPython runs a collection that also walks older objects — everything the ingest
    holds. The rows have no reference cycles, so pausing the collector frees nothing later than
    it would have; it only saves the walks (measured: about half of the row-building time).
    The collector is turned back on only by the call that turned it off.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# name, parameters, label/type placeholders, property names for the registry's property line
Statement = tuple[str, dict[str, Any], dict[str, str], tuple[str, ...] | None]


class _BatchAborted(Exception):
    """The rows of a batch could not be built; its transaction must roll back."""


class _Statements:
    """The statements of one batch, put by the ingesting thread while the writer thread runs
    them in one transaction.

    Iterating blocks until the next statement or the end. A transaction the driver retries
    iterates again from the first statement: the statements taken are kept for that.
    """

    def __init__(self) -> None:
        # A statement, or the end: True when complete, False when the batch is aborted.
        self._queue: queue.SimpleQueue[Statement | bool] = queue.SimpleQueue()
        self._taken: list[Statement] = []
        self._complete = False
        self._aborted = False

    def put(self, statement: Statement) -> None:
        self._queue.put(statement)

    def close(self) -> None:
        self._queue.put(True)

    def abort(self) -> None:
        self._queue.put(False)

    def __iter__(self) -> Iterator[Statement]:
        yield from list(self._taken)
        while not self._complete:
            if self._aborted:
                raise _BatchAborted
            item = self._queue.get()
            if item is False:
                self._aborted = True
                raise _BatchAborted
            if item is True:
                self._complete = True
                return
            self._taken.append(item)
            yield item


class Neo4jStore:
    """GraphStore on a Neo4j database. Thread-safe: each call uses its own session."""

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None = None,
        database: str | None = None,
        *,
        registry: Registry | None = None,
        max_retry_seconds: float = 60.0,
        apply_schema: bool = True,
        pipelined: bool = True,
    ) -> None:
        self.uri = uri
        self.database = database
        self._auth = auth
        self.registry = registry or default_registry()
        self.schema = self.registry.schema
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=auth, max_transaction_retry_time=max_retry_seconds
            )
            self._driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, ConfigurationError, ValueError, OSError) as exc:
            raise StoreError(f"cannot connect to Neo4j at {uri}: {exc}") from exc
        self._quarantine_seq = 0
        # The property keys merge_nodes / merge_ties fill with plain SETs (first value wins):
        # each label's schema properties, and the tie properties that are not an observation's.
        self._node_keys = {
            label: tuple(node.properties) for label, node in self.schema.nodes.items()
        }
        self._tie_keys = tuple(
            k for k in self.schema.relationship_properties if k not in _EDGE_PROPS_ON_OBSERVATION
        )
        self._pipelined = pipelined
        self._writer: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()
        self._pending_lock = threading.Lock()
        if apply_schema:
            self.apply_schema()

    @classmethod
    def from_uri(cls, uri: str) -> Neo4jStore:
        """Open `neo4j://`, `neo4j+s://`, `bolt://`... with NETZICHT_NEO4J_* credentials."""
        from netzicht.settings import get_settings

        settings = get_settings()
        auth = None
        if settings.neo4j_user:
            auth = (settings.neo4j_user, settings.neo4j_password or "")
        return cls(uri, auth=auth, database=settings.neo4j_database)

    # -- plumbing ------------------------------------------------------------------------------

    def _session(self, write: bool) -> neo4j.Session:
        access = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        return self._driver.session(database=self.database, default_access_mode=access)

    def _submit(self, work: Callable[[neo4j.ManagedTransaction], None]) -> Future[None] | None:
        """Queue a write transaction for the background writer (or run it, when not pipelined)."""
        if not self._pipelined:
            self._write(work)
            return None
        with self._pending_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="neo4j-writer")
            waiting = list(self._pending)
        # Back-pressure: at most two batches wait; a failure of an earlier one is raised here.
        while len(waiting) >= 2:
            self._settle(waiting.pop(0))
        future = self._writer.submit(self._write, work)
        with self._pending_lock:
            self._pending.append(future)
        return future

    def _forget(self, future: Future[None]) -> None:
        """Wait for a write whose failure is already being raised, and drop it."""
        # The caller raises the cause; the rolled-back batch must not fail a later call too.
        with suppress(StoreError, _BatchAborted):
            self._settle(future)

    def _settle(self, future: Future[None]) -> None:
        try:
            future.result()
        finally:
            with self._pending_lock:
                if future in self._pending:
                    self._pending.remove(future)

    def drain(self) -> None:
        """Wait for every queued write; raise the first one that failed (as StoreError)."""
        with self._pending_lock:
            waiting = list(self._pending)
        failure: BaseException | None = None
        for future in waiting:
            try:
                self._settle(future)
            except BaseException as exc:  # re-raised below, once the others have settled
                failure = failure or exc
        if failure is not None:
            raise failure

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        try:
            with self._session(write=True) as session:
                return session.execute_write(work)
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.uri}: {exc.code}: {exc.message}") from exc
        except ServiceUnavailable as exc:
            raise StoreError(f"Neo4j at {self.uri} is unavailable: {exc}") from exc

    def _read(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        self.drain()
        try:
            with self._session(write=False) as session:
                return session.execute_read(work)
        except Neo4jError as exc:
            raise StoreError(f"Neo4j at {self.uri}: {exc.code}: {exc.message}") from exc
        except ServiceUnavailable as exc:
            raise StoreError(f"Neo4j at {self.uri} is unavailable: {exc}") from exc

    def _run(
        self,
        tx: neo4j.ManagedTransaction,
        name: str,
        parameters: dict[str, Any] | None = None,
        properties: tuple[str, ...] | None = None,
        **placeholders: str,
    ) -> list[neo4j.Record]:
        text, params = self.registry.query(name, parameters, properties=properties, **placeholders)
        return list(tx.run(text, params))

    def _fetch(
        self, name: str, parameters: dict[str, Any] | None = None, **slots: str
    ) -> list[Any]:
        return self._read(lambda tx: self._run(tx, name, parameters, properties=None, **slots))

    def schema_statements(self) -> list[str]:
        """Constraints and indexes: the generated schema, bookkeeping, search and tie indexes."""
        statements = [*self.registry.get("schema").parts()]
        statements += self.registry.get("bookkeeping_schema").parts()
        statements += [
            self.registry.render("search_index", label=label) for label in sorted(self.schema.nodes)
        ]
        statements += [
            self.registry.render("tie_index", type=rel) for rel in sorted(self.schema.relationships)
        ]
        return statements

    def apply_schema(self) -> list[str]:
        """Create the missing constraints and indexes (idempotent); return the names created."""
        existing = {r["name"] for r in self._fetch("show_indexes")}
        existing |= {r["name"] for r in self._fetch("show_constraints")}
        created: list[str] = []
        for statement in self.schema_statements():
            words = statement.split()
            name = words[words.index("IF") - 1]
            if name in existing:
                continue
            try:
                with self._session(write=True) as session:
                    session.run(statement).consume()  # schema commands need auto-commit
            except Neo4jError as exc:
                raise StoreError(
                    f"Neo4j at {self.uri}: cannot create {name}: {exc.code}: {exc.message}"
                ) from exc
            created.append(name)
        # Also when nothing was created here: another client may have created them just now.
        self._write(lambda tx: self._run(tx, "await_indexes", {"seconds": 300}))
        return created

    # -- writing -------------------------------------------------------------------------------

    def write_batch(self, batch: WriteBatch, ingested_at: str) -> None:
        """Write one batch as one transaction, its statements streamed to the writer.

        The rows of each label (and each tie group) are built here while the writer thread
        already runs the statements built before them: the server works while Python builds.
        """
        if not (batch.nodes or batch.edges or batch.local_ids):
            return
        stream = _Statements()

        def work(tx: neo4j.ManagedTransaction) -> None:
            for name, parameters, slots, properties in stream:
                self._run(tx, name, parameters, properties=properties, **slots)

        future = self._submit(work) if self._pipelined else None
        try:
            with _gc_paused():
                self._produce(batch, ingested_at, stream)
        except BaseException:
            stream.abort()  # the transaction rolls back; nothing of the batch is committed
            if future is not None:
                self._forget(future)
            raise
        stream.close()
        if future is None:
            self._write(work)

    def _produce(self, batch: WriteBatch, ingested_at: str, stream: _Statements) -> None:
        """The batch's statements in the order they run: nodes by label, ties by (source
        label, type, target label), local ids; rows grouped first, built group by group."""
        nodes: dict[str, list[NodeRecord]] = defaultdict(list)
        for n in batch.nodes:
            nodes[n.label].append(n)
        edges: dict[tuple[str, str, str], list[EdgeRecord]] = defaultdict(list)
        for e in batch.edges:
            edges[(e.src.partition(":")[0], e.type, e.dst.partition(":")[0])].append(e)
        for label in sorted(nodes):
            keys = self._node_keys.get(label, ())
            rows, fills = self._node_rows(nodes[label], frozenset(keys))
            for chunk in _chunks(rows):
                parameters = {"rows": chunk, "ingested_at": ingested_at}
                stream.put(("merge_nodes", parameters, {"label": label}, keys))
            for chunk in _chunks(fills):
                stream.put(("fill_node_properties", {"rows": chunk}, {"label": label}, None))
        for group in sorted(edges):
            src_label, rel, dst_label = group
            slots = {"src_label": src_label, "type": rel, "dst_label": dst_label}
            rows, fills = self._tie_rows(edges[group], frozenset(self._tie_keys))
            for chunk in _chunks(rows):
                stream.put(("merge_ties", {"rows": chunk}, slots, self._tie_keys))
            for chunk in _chunks(fills):
                stream.put(("fill_tie_properties", {"rows": chunk}, slots, None))
        local_rows = [
            {
                "key": f"{source}{KEY_SEPARATOR}{local}",
                "source": source,
                "local_id": local,
                "uid": uid,
            }
            for source, local, uid in dict.fromkeys(batch.local_ids)
        ]
        for chunk in _chunks(local_rows):
            stream.put(("merge_local_ids", {"rows": chunk}, {}, None))

    @staticmethod
    def _node_rows(
        nodes: Sequence[NodeRecord], schema_keys: frozenset[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """One row per uid (merged inside the batch like SQLite does); nodes of one label. And
        one fill row per property outside the label's schema (`schema_keys`), for an existing
        node (see fill_node_properties).

        The ingest time of the batch's provenance is one parameter of the statement, not a list
        per row. This runs once per input row on the ingest path: plain loops, no helpers.
        Dates become ISO text, as SQLite stores them (Neo4j would store a temporal value).
        """
        merged: dict[str, dict[str, Any]] = {}
        provs: dict[str, dict[str, str | None]] = {}
        for n in nodes:
            uid = n.uid
            seen = n.seen
            key = n.source + KEY_SEPARATOR + n.record
            row = merged.get(uid)
            if row is None:
                merged[uid] = {
                    "uid": uid,
                    "name": n.name,
                    "props": {
                        k: v.isoformat() if isinstance(v, dt.date) else v
                        for k, v in n.properties.items()
                        if v is not None
                    },
                    "first_seen": seen,
                    "last_seen": seen,
                }
                provs[uid] = {key: seen}
                continue
            if not row["name"] and n.name:
                row["name"] = n.name
            props = row["props"]
            for k, v in n.properties.items():
                if v is not None and k not in props:
                    props[k] = v.isoformat() if isinstance(v, dt.date) else v
            if seen is not None:
                if row["first_seen"] is None or seen < row["first_seen"]:
                    row["first_seen"] = seen
                if row["last_seen"] is None or seen > row["last_seen"]:
                    row["last_seen"] = seen
            prov = provs[uid]
            if key not in prov:
                prov[key] = seen
        rows = list(merged.values())
        fills: list[dict[str, Any]] = []
        for row in rows:
            prov = provs[row["uid"]]
            props = row["props"]
            name = row["name"]
            terms = search_terms(name, props)
            row["search"] = search_text(name, props, terms)
            # What an existing node adds to its search text if this row brings it its name or
            # a property (merge_nodes, fill_node_properties): Cypher cannot fold text.
            row["fname"] = search_fold(name) if name else ""
            row["prov_keys"] = list(prov)
            row["prov_seen"] = [seen or "" for seen in prov.values()]
            if schema_keys.issuperset(props):
                row["terms"] = terms
            else:
                row["terms"] = {k: t for k, t in terms.items() if k in schema_keys}
                fills += [
                    {"uid": row["uid"], "key": k, "value": v, "term": terms.get(k)}
                    for k, v in props.items()
                    if k not in schema_keys
                ]
        return rows, fills

    @staticmethod
    def _tie_rows(
        edges: Sequence[EdgeRecord], schema_keys: frozenset[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """One row per tie (merged inside the batch); ties of one (source label, type, target
        label); observations keyed by (source, record), the first one of a key wins. And one
        fill row per property outside `schema_keys` (see fill_tie_properties)."""
        merged: dict[tuple[str, str, str], dict[str, Any]] = {}
        observations: dict[tuple[str, str, str], dict[str, tuple[str, float, float]]] = {}
        for e in edges:
            tie = (e.src, e.type, e.dst)
            date = e.date
            row = merged.get(tie)
            if row is None:
                row = merged[tie] = {
                    "id": edge_id(e.src, e.type, e.dst),
                    "src": e.src,
                    "dst": e.dst,
                    "props": {},
                    "first_seen": date,
                    "last_seen": date,
                }
                obs = observations[tie] = {}
            else:
                obs = observations[tie]
                if date is not None:
                    if row["first_seen"] is None or date < row["first_seen"]:
                        row["first_seen"] = date
                    if row["last_seen"] is None or date > row["last_seen"]:
                        row["last_seen"] = date
            properties = e.properties
            if properties:
                props = row["props"]
                for k, v in properties.items():
                    if v is not None and k not in props and k not in _EDGE_PROPS_ON_OBSERVATION:
                        props[k] = v.isoformat() if isinstance(v, dt.date) else v
            key = e.source + KEY_SEPARATOR + e.record
            if key not in obs:
                amount = properties.get("amount")
                obs[key] = (
                    date or "",
                    float(e.weight),
                    float(amount) if amount is not None else 0.0,
                )
        fills: list[dict[str, Any]] = []
        for tie, row in merged.items():
            obs = observations[tie]
            weights = [o[1] for o in obs.values()]
            amounts = [o[2] for o in obs.values()]
            row["obs_keys"] = list(obs)
            row["obs_dates"] = [o[0] for o in obs.values()]
            row["obs_weights"] = weights
            row["obs_amounts"] = amounts
            row["weight"] = sum(weights)
            row["amount"] = sum(amounts)
            props = row["props"]
            if not schema_keys.issuperset(props):
                fills += [
                    {"src": row["src"], "dst": row["dst"], "key": k, "value": v}
                    for k, v in props.items()
                    if k not in schema_keys
                ]
        return list(merged.values()), fills

    # An ingest maps large files in worker processes (ingest/parallel.py) for stores that offer
    # these three. A worker hands its batch back as it is: this process builds the rows.
    @staticmethod
    def prepare_write(batch: WriteBatch) -> WriteBatch:
        return batch

    def write_prepared(self, prepared: WriteBatch, ingested_at: str) -> None:
        self.write_batch(prepared, ingested_at)

    def reader(self) -> Neo4jStore:
        """A new driver to the same database, e.g. for a worker process (a driver's
        connections must never be used on both sides of a fork)."""
        return Neo4jStore(
            self.uri,
            self._auth,
            self.database,
            registry=self.registry,
            apply_schema=False,
            pipelined=False,
        )

    def resolve_local_ids(self, source: str, local_ids: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(local_ids))
        found: dict[str, str] = {}
        for chunk in _chunks(wanted):
            keys = [f"{source}{KEY_SEPARATOR}{local}" for local in chunk]
            for record in self._fetch("resolve_local_ids", {"keys": keys}):
                found[record["local_id"]] = record["uid"]
        return found

    def begin_run(self, source: str, mapping: str, started: str) -> str:
        run_id = f"ingest-{started[:10]}-{uuid.uuid4().hex[:8]}"
        params = {"run_id": run_id, "source": source, "mapping": mapping, "started": started}
        self.drain()
        self._write(lambda tx: self._run(tx, "begin_run", params))
        return run_id

    def finish_run(self, summary: IngestRunSummary) -> None:
        params = {
            "run_id": summary.run_id,
            "finished": summary.finished,
            "rows_read": summary.rows_read,
            "rows_ingested": summary.rows_ingested,
            "rows_quarantined": summary.rows_quarantined,
            "files": json.dumps(summary.files, ensure_ascii=False, default=str),
        }
        self.drain()  # a run is only finished when all its batches are in
        self._write(lambda tx: self._run(tx, "finish_run", params))

    def add_quarantine(self, run_id: str, rows: Sequence[QuarantineRecord]) -> None:
        if not rows:
            return
        if not self._quarantine_seq:
            last = self._fetch("last_quarantine_seq")[0]["seq"]
            self._quarantine_seq = int(last or 0)
        # Sequence numbers from the clock keep the store-wide insertion order across processes.
        start = max(self._quarantine_seq, time.time_ns()) + 1
        self._quarantine_seq = start + len(rows)
        payload = [
            {
                "seq": start + i,
                "file": q.file,
                "line": q.line,
                "field": q.field,
                "reason": q.reason,
                "row": _dumps(q.row),
            }
            for i, q in enumerate(rows)
        ]

        def work(tx: neo4j.ManagedTransaction) -> None:
            for chunk in _chunks(payload):
                self._run(tx, "add_quarantine", {"run_id": run_id, "rows": chunk})

        self._submit(work)

    # -- reading -------------------------------------------------------------------------------

    @staticmethod
    def _node(data: dict[str, Any]) -> Node:
        sources: list[Provenance] = []
        keys = data.get("prov_keys")
        if keys is not None:
            rows = sorted(
                zip(keys, data["prov_seen"], data["prov_ingested"], strict=True),
            )
            for key, seen, ingested in rows:
                source, _, record = key.partition(KEY_SEPARATOR)
                sources.append(
                    Provenance(
                        source=source, record=record, seen=seen or None, ingested_at=ingested
                    )
                )
        return Node(
            uid=data["uid"],
            label=label_of(data["uid"]),
            name=data.get("display_name") or "",
            properties={
                k: v for k, v in data.items() if k not in RESERVED_NODE_KEYS and v is not None
            },
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            sources=sources,
        )

    def _known_label(self, label: str) -> bool:
        return label in self.schema.nodes

    def get_node(self, uid: str) -> Node | None:
        label = label_of(uid)
        if not self._known_label(label):
            return None
        records = self._fetch("get_node", {"uid": uid}, label=label)
        return self._node(records[0]["node"]) if records else None

    def get_nodes(self, uids: Sequence[str]) -> list[Node]:
        by_label: dict[str, list[str]] = defaultdict(list)
        for uid in dict.fromkeys(uids):
            if self._known_label(label_of(uid)):
                by_label[label_of(uid)].append(uid)

        def work(tx: neo4j.ManagedTransaction) -> list[Node]:
            found: list[Node] = []
            for label, wanted in by_label.items():
                for chunk in _chunks(wanted):
                    for record in self._run(tx, "get_nodes", {"uids": list(chunk)}, label=label):
                        found.append(self._node(record["node"]))
            return found

        out = self._read(work) if by_label else []
        order = {uid: i for i, uid in enumerate(uids)}
        return sorted(out, key=lambda n: order[n.uid])

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        from ingest.normalise import fold_name

        needle = fold_name(text)
        if not needle or limit <= 0:
            return []
        wanted = sorted(set(labels) if labels else self.schema.nodes)
        wanted = [label for label in wanted if self._known_label(label)]

        def work(tx: neo4j.ManagedTransaction) -> list[Node]:
            found: list[tuple[bool, int, str, Node]] = []
            for label in wanted:
                params = {"needle": needle, "limit": limit}
                for r in self._run(tx, "search", params, label=label):
                    node = self._node(r["node"])
                    found.append(
                        (not r["search"].startswith(needle), len(node.name), node.uid, node)
                    )
            return [item[3] for item in sorted(found, key=lambda item: item[:3])]

        return self._read(work)[:limit]

    def _ties_among(self, uids: Sequence[str], types: Sequence[str] | None) -> list[Edge]:
        keep = list(uids)
        type_list = list(types) if types else None
        by_label: dict[str, list[str]] = defaultdict(list)
        for uid in keep:
            by_label[label_of(uid)].append(uid)

        def work(tx: neo4j.ManagedTransaction) -> list[Edge]:
            edges: dict[str, Edge] = {}
            for label, group in by_label.items():
                if not self._known_label(label):
                    continue
                params = {"uids": group, "keep": keep, "types": type_list}
                for record in self._run(tx, "ties_among", params, label=label):
                    tie = record["tie"]
                    edges[record["id"]] = Edge(
                        id=record["id"],
                        src=record["src"],
                        dst=record["dst"],
                        type=record["type"],
                        properties={
                            k: v
                            for k, v in tie.items()
                            if k not in RESERVED_TIE_KEYS and v is not None
                        },
                        first_seen=tie.get("first_seen"),
                        last_seen=tie.get("last_seen"),
                        observations=tie.get("observations") or 0,
                        weight=tie.get("weight") or 0.0,
                    )
            return sorted(edges.values(), key=lambda e: e.id)

        return self._read(work)

    def _next_ring(
        self, frontier: Sequence[str], known: Sequence[str], types: Sequence[str] | None, room: int
    ) -> list[str]:
        """The unknown neighbours of the frontier in order of the smallest tie id reaching them;
        at most `room` of them (SQLite's order: ties by id, each adding its new end)."""
        by_label: dict[str, list[str]] = defaultdict(list)
        for uid in frontier:
            if self._known_label(label_of(uid)):
                by_label[label_of(uid)].append(uid)
        params_base = {"known": list(known), "types": list(types) if types else None, "room": room}

        def work(tx: neo4j.ManagedTransaction) -> list[str]:
            first: dict[str, str] = {}
            for label, group in by_label.items():
                for record in self._run(
                    tx, "neighbours", {**params_base, "uids": group}, label=label
                ):
                    uid, tie = record["uid"], record["first"]
                    if uid not in first or tie < first[uid]:
                        first[uid] = tie
            return [uid for uid, _ in sorted(first.items(), key=lambda kv: kv[1])][:room]

        return self._read(work)

    def neighbourhood(
        self, uid: str, hops: int = 1, limit: int = 200, types: Sequence[str] | None = None
    ) -> Subgraph:
        seen: list[str] = [uid]
        frontier = [uid]
        truncated = False
        for _ in range(max(hops, 0)):
            room = max(limit - len(seen), 0)
            nxt = self._next_ring(frontier, seen, types, room + 1)
            if len(seen) + len(nxt) > limit:
                nxt = nxt[:room]
                truncated = True
            seen.extend(nxt)
            frontier = nxt
            if truncated or not frontier:
                break
        nodes = self.get_nodes(seen)
        edges = self._ties_among(seen, types) if nodes else []
        return Subgraph(nodes=nodes, edges=edges, truncated=truncated)

    def stats(self) -> StoreStats:
        def work(tx: neo4j.ManagedTransaction) -> StoreStats:
            nodes: dict[str, int] = {}
            for label in sorted(self.schema.nodes):
                count = self._run(tx, "count_nodes", label=label)[0]["count"]
                if count:
                    nodes[label] = count
            edges: dict[str, int] = {}
            for rel in sorted(self.schema.relationships):
                count = self._run(tx, "count_ties", type=rel)[0]["count"]
                if count:
                    edges[rel] = count
            return StoreStats(nodes=nodes, edges=edges)

        return self._read(work)

    def runs(self, limit: int = 50) -> list[IngestRunSummary]:
        return [
            IngestRunSummary(
                run_id=r["run_id"],
                source=r["source"],
                mapping=r["mapping"],
                started=r["started"],
                finished=r["finished"],
                rows_read=r["rows_read"],
                rows_ingested=r["rows_ingested"],
                rows_quarantined=r["rows_quarantined"],
                files=json.loads(r["files"]),
            )
            for r in self._fetch("runs", {"limit": limit})
        ]

    def quarantine(self, run_id: str | None = None, limit: int = 1000) -> list[QuarantineRecord]:
        return [
            QuarantineRecord(
                file=r["file"],
                line=r["line"],
                field=r["field"],
                reason=r["reason"],
                row=json.loads(r["row"]),
            )
            for r in self._fetch("quarantine", {"run_id": run_id, "limit": limit})
        ]

    # -- streaming for analytics ---------------------------------------------------------------

    def _pages(
        self, name: str, after_of: Callable[[neo4j.Record], str], **slots: str
    ) -> Iterator[neo4j.Record]:
        """Keyset paging: each page is its own short read transaction (retried on its own)."""
        after = ""
        while True:
            page = self._fetch(name, {"after": after, "page": _PAGE}, **slots)
            yield from page
            if len(page) < _PAGE:
                return
            after = after_of(page[-1])

    def iter_nodes(self, labels: Sequence[str] | None = None) -> Iterator[Node]:
        wanted = sorted(set(labels) if labels else self.schema.nodes, key=lambda lb: lb + ":")
        for label in wanted:
            if not self._known_label(label):
                continue
            # uids start with "<label>:", so label after label in this order is uid order.
            for record in self._pages("iter_nodes", lambda r: r["node"]["uid"], label=label):
                yield self._node(record["node"])

    def _tie_stream(self, rel: str) -> Iterator[tuple[str, str, neo4j.Record]]:
        for record in self._pages("iter_ties", lambda r: r["id"], type=rel):
            yield record["id"], rel, record

    def iter_ties(
        self,
        types: Sequence[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> Iterator[TieRow]:
        low = since.isoformat() if since is not None else None
        high = until.isoformat() if until is not None else None
        wanted = sorted(set(types) if types else self.schema.relationships)
        streams = [self._tie_stream(rel) for rel in wanted if rel in self.schema.relationships]
        for _, rel, r in heapq.merge(*streams, key=lambda item: item[0]):
            # Undated observations count in every window, as in SQLite; sums run in
            # (source, record) order, which is SQLite's primary-key order.
            picked = sorted(
                (key, date, weight, amount)
                for key, date, weight, amount in zip(
                    r["keys"], r["dates"], r["weights"], r["amounts"], strict=True
                )
                if not date or ((low is None or date >= low) and (high is None or date <= high))
            )
            if not picked:
                continue
            dates = [p[1] for p in picked if p[1]]
            weight = 0.0
            amount = 0.0
            for p in picked:
                weight += p[2]
                amount += p[3]
            yield TieRow(
                src=r["src"],
                dst=r["dst"],
                type=rel,
                weight=weight,
                observations=len(picked),
                first_date=min(dates) if dates else None,
                last_date=max(dates) if dates else None,
                amount=amount,
            )

    def tie_trends(
        self,
        types: Sequence[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[dict[str, Any]]:
        """Dated observations per relationship type and month inside a window (for trends)."""
        params = {
            "since": since.isoformat() if since is not None else None,
            "until": until.isoformat() if until is not None else None,
        }
        wanted = sorted(set(types) if types else self.schema.relationships)

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for rel in wanted:
                for r in self._run(tx, "tie_trends", params, type=rel):
                    out.append({"type": rel, **r.data()})
            return out

        return self._read(work)

    # -- analytics results ---------------------------------------------------------------------

    def save_result(self, run_id: str, kind: str, created: str, document: dict[str, Any]) -> None:
        params = {"run_id": run_id, "kind": kind, "created": created, "document": _dumps(document)}
        self.drain()
        self._write(lambda tx: self._run(tx, "save_result", params))

    def latest_result(self, kind: str) -> tuple[str, dict[str, Any]] | None:
        records = self._fetch("latest_result", {"kind": kind})
        if not records:
            return None
        return records[0]["run_id"], json.loads(records[0]["document"])

    def latest_result_id(self, kind: str) -> str | None:
        """The newest run id of a kind, without sending its document over the wire."""
        records = self._fetch("latest_result_id", {"kind": kind})
        return str(records[0]["run_id"]) if records else None

    def result(self, run_id: str) -> dict[str, Any] | None:
        records = self._fetch("result", {"run_id": run_id})
        return json.loads(records[0]["document"]) if records else None

    def save_node_results(
        self, run_id: str, rows: Sequence[tuple[str, str | None, dict[str, Any]]]
    ) -> None:
        payload = [
            {
                "key": f"{run_id}{KEY_SEPARATOR}{uid}",
                "uid": uid,
                "network": network,
                "document": _dumps(doc),
            }
            for uid, network, doc in rows
        ]

        def work(tx: neo4j.ManagedTransaction) -> None:
            for chunk in _chunks(payload):
                self._run(tx, "save_node_results", {"run_id": run_id, "rows": chunk})

        if payload:
            self.drain()
            self._write(work)

    def node_result(self, uid: str, run_id: str | None = None) -> dict[str, Any] | None:
        if run_id is None:
            records = self._fetch("latest_node_result", {"uid": uid})
        else:
            records = self._fetch("node_result", {"key": f"{run_id}{KEY_SEPARATOR}{uid}"})
        return json.loads(records[0]["document"]) if records else None

    def network_members(self, run_id: str, network: str) -> list[str]:
        """The uids in one network of one analysis run (from the per-node results)."""
        records = self._fetch("network_members", {"run_id": run_id, "network": network})
        return [r["uid"] for r in records]

    def close(self) -> None:
        try:
            self.drain()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
            self._driver.close()
