"""Legal basis, retention and erasure: what each store must offer and how the service uses it.

Every ingest mapping declares the legal basis of its source and a retention period in days
(`ingest/mappings/*.yaml`, `legal_basis`, `retention_days`). Two operations act on that:

- **retention** (`apply`): for every source, drop the provenance rows observed before
  ``today - retention_days``; whatever is left without provenance goes too, with everything
  derived from it (AVG/GDPR art. 5(1)(e), storage limitation; Wpg art. 14 for police data).
- **erasure** (`erase`): remove one person and everything derived from them (AVG art. 17).

A store implements both through an :class:`ErasureBackend` — a module or object with
``erase_person`` and ``apply_retention`` functions that take the store as first argument
(``graph_model.store.sqlite_erasure`` for the embedded store). Both operations are audited with
counts only: the audit log is kept longer than the data, so it must never hold an erased value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from netzicht.errors import NetzichtError

if TYPE_CHECKING:
    from graph_model.store.base import GraphStore
    from netzicht.service import Service

DEFAULT_ERASURE_PURPOSE = "erasure request of the data subject (AVG art. 17)"
RETENTION_PURPOSE = "storage limitation: retention periods declared per source (AVG art. 5(1)(e))"
ERASURE_MARK = "erasure"  # the result kind that records that an erasure or retention ran


@dataclass
class ErasureReport:
    """What one erasure removed. Counts only: it is printed and audited, so it names no one."""

    reference: str = field(default_factory=lambda: f"erasure-{uuid.uuid4().hex[:12]}")
    found: bool = False
    nodes: int = 0  # the person and the artefact nodes erased with them
    artefact_nodes: int = 0
    edges: int = 0
    observations: int = 0  # edge observations (edge_obs rows)
    provenance: int = 0  # node provenance rows
    provenance_anonymised: int = 0  # provenance of kept records whose record id named the person
    local_ids: int = 0
    node_results: int = 0  # per-node result rows of erased nodes
    results_scrubbed: int = 0  # result documents (and other nodes' results) rewritten
    quarantine_rows: int = 0
    quarantine_lines: int = 0  # lines removed from quarantine files on disk
    files_rewritten: int = 0  # quarantine files rewritten or removed
    wal_truncated: bool = False
    free_pages: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SourceRetention:
    retention_days: int
    cutoff: str  # observations dated before this ISO date have expired
    provenance: int = 0
    observations: int = 0
    nodes: int = 0
    edges: int = 0
    node_results: int = 0
    results_scrubbed: int = 0
    quarantine_rows: int = 0
    quarantine_files: int = 0

    @property
    def removed_anything(self) -> bool:
        return any(
            (
                self.provenance,
                self.observations,
                self.nodes,
                self.edges,
                self.quarantine_rows,
                self.quarantine_files,
            )
        )


@dataclass
class RetentionReport:
    today: str
    sources: dict[str, SourceRetention] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # source -> why no period applies
    compacted: bool = False
    wal_truncated: bool = True
    free_pages: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class ErasureBackend(Protocol):
    """Erasure and retention for one kind of store. ``store`` is that backend's store class."""

    def erase_person(
        self, store: Any, uid: str, quarantine_dir: Path | None = None
    ) -> ErasureReport: ...

    def apply_retention(
        self,
        store: Any,
        retention_days: Mapping[str, int],
        today: dt.date,
        quarantine_dir: Path | None = None,
    ) -> RetentionReport: ...


def backend_for(store: GraphStore) -> ErasureBackend:
    """The erasure backend of a store, or a clear error for stores that have none yet."""
    from graph_model.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from graph_model.store import sqlite_erasure

        return sqlite_erasure
    from graph_model.store.neo4j import Neo4jStore

    if isinstance(store, Neo4jStore):
        from graph_model.store import neo4j_erasure

        return neo4j_erasure
    raise NetzichtError(f"erasure on {store.uri} is not supported yet")


def retention_by_source(store: GraphStore) -> tuple[dict[str, int], dict[str, str]]:
    """Retention days per source, from the mapping each source's ingest runs used.

    A source ingested with several mappings gets the shortest period (the strictest promise
    made about it). Returns ``(days, skipped)``; ``skipped`` says why a source has no period.
    """
    from ingest.mapping import load_mapping

    days: dict[str, int] = {}
    skipped: dict[str, str] = {}
    for run in store.runs(limit=1_000_000):
        try:
            declared = load_mapping(run.mapping).retention_days
        except NetzichtError:
            skipped.setdefault(
                run.source, f"mapping {run.mapping!r} of run {run.run_id} cannot be loaded"
            )
            continue
        if declared is None:
            skipped.setdefault(run.source, f"mapping {run.mapping!r} declares no retention_days")
            continue
        days[run.source] = min(int(declared), days.get(run.source, int(declared)))
    # A source with one loadable mapping still gets that period; the skip note stays as a warning.
    return days, {s: why for s, why in skipped.items() if s not in days}


def mark_erasure(store: GraphStore, action: str) -> str:
    """Record in the store that data was erased (no uid, no counts), as a result of kind
    `ERASURE_MARK`. Readers that cache what they read (the dashboard) key their caches on the
    latest mark, so nothing erased stays on screen from a cache."""
    created = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    run_id = f"{ERASURE_MARK}-{created}-{uuid.uuid4().hex[:8]}"
    store.save_result(run_id, ERASURE_MARK, created, {"action": action})
    return run_id


def erase(svc: Service, uid: str, purpose: str = DEFAULT_ERASURE_PURPOSE) -> ErasureReport:
    """Erase one person (admin only); audited with the counts and a reference, never the uid."""
    svc.require("erase")
    report = backend_for(svc.store).erase_person(svc.store, uid, svc.settings.quarantine_dir())
    mark_erasure(svc.store, "erase")
    details = report.as_dict()
    svc.audit_log.append(
        actor=svc.identity.user,
        role=svc.identity.role,
        action="erase",
        target=report.reference,
        purpose=purpose.strip() or DEFAULT_ERASURE_PURPOSE,
        details=details,
    )
    return report


def apply(svc: Service, today: dt.date | None = None) -> RetentionReport:
    """Apply every source's retention period (admin only); audited with counts per source."""
    svc.require("retention")
    days, skipped = retention_by_source(svc.store)
    report = backend_for(svc.store).apply_retention(
        svc.store, days, today or dt.date.today(), svc.settings.quarantine_dir()
    )
    mark_erasure(svc.store, "retention")
    report.skipped.update(skipped)
    svc.audit_log.append(
        actor=svc.identity.user,
        role=svc.identity.role,
        action="retention",
        target=svc.store.uri,
        purpose=RETENTION_PURPOSE,
        details=report.as_dict(),
    )
    return report
