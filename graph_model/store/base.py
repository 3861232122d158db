"""The GraphStore protocol and the plain records that cross it.

Records are small dataclasses rather than pydantic models: an ingest moves millions of them and
validation has already happened in the mapping engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from graph_model.models import Edge, Node


@dataclass(slots=True)
class NodeRecord:
    """One observation of a node in one source record."""

    uid: str
    label: str
    name: str
    properties: dict[str, Any]
    source: str
    record: str
    seen: str | None = None  # ISO date of the observation, when the source gives one


@dataclass(slots=True)
class EdgeRecord:
    """One observation of a tie (src)-[type]->(dst) in one source record."""

    src: str
    type: str
    dst: str
    properties: dict[str, Any]
    source: str
    record: str
    date: str | None = None
    weight: float = 1.0


@dataclass(slots=True)
class WriteBatch:
    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    local_ids: list[tuple[str, str, str]] = field(default_factory=list)  # (source, local id, uid)

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges)


@dataclass(slots=True)
class QuarantineRecord:
    file: str
    line: int
    field: str
    reason: str
    row: dict[str, Any]


@dataclass(slots=True)
class IngestRunSummary:
    run_id: str
    source: str
    mapping: str
    started: str
    finished: str | None
    rows_read: int
    rows_ingested: int
    rows_quarantined: int
    files: list[dict[str, Any]]


@dataclass(slots=True)
class TieRow:
    """A tie aggregated over its observations inside a time window (for analytics)."""

    src: str
    dst: str
    type: str
    weight: float
    observations: int
    first_date: str | None
    last_date: str | None
    amount: float


@dataclass(slots=True)
class StoreStats:
    nodes: dict[str, int]
    edges: dict[str, int]


@dataclass(slots=True)
class Subgraph:
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool = False


@runtime_checkable
class GraphStore(Protocol):
    """What every store offers. Implementations: SQLiteStore, Neo4jStore."""

    uri: str

    # writing
    def write_batch(self, batch: WriteBatch, ingested_at: str) -> None: ...
    def resolve_local_ids(self, source: str, local_ids: Iterable[str]) -> dict[str, str]: ...
    def begin_run(self, source: str, mapping: str, started: str) -> str: ...
    def finish_run(self, summary: IngestRunSummary) -> None: ...
    def add_quarantine(self, run_id: str, rows: Sequence[QuarantineRecord]) -> None: ...

    # reading
    def get_node(self, uid: str) -> Node | None: ...
    def get_nodes(self, uids: Sequence[str]) -> list[Node]: ...
    def search(
        self, text: str, labels: Sequence[str] | None = None, limit: int = 20
    ) -> list[Node]: ...
    def neighbourhood(
        self, uid: str, hops: int = 1, limit: int = 200, types: Sequence[str] | None = None
    ) -> Subgraph: ...
    def stats(self) -> StoreStats: ...
    def runs(self, limit: int = 50) -> list[IngestRunSummary]: ...
    def quarantine(
        self, run_id: str | None = None, limit: int = 1000
    ) -> list[QuarantineRecord]: ...

    # streaming for analytics
    def iter_nodes(self, labels: Sequence[str] | None = None) -> Iterator[Node]: ...
    def iter_ties(
        self,
        types: Sequence[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> Iterator[TieRow]: ...

    # analytics results, stored as JSON documents under a run id
    def save_result(
        self, run_id: str, kind: str, created: str, document: dict[str, Any]
    ) -> None: ...
    def latest_result(self, kind: str) -> tuple[str, dict[str, Any]] | None: ...
    def latest_result_id(self, kind: str) -> str | None: ...
    def result(self, run_id: str) -> dict[str, Any] | None: ...
    def save_node_results(
        self, run_id: str, rows: Sequence[tuple[str, str | None, dict[str, Any]]]
    ) -> None: ...
    def node_result(self, uid: str, run_id: str | None = None) -> dict[str, Any] | None: ...

    def close(self) -> None: ...
