"""The service layer every front end goes through (CLI and dashboard).

Front ends never touch a store directly: they hold a `Service`, which owns the store, the
identity of the caller and the settings. Access control and audit hook in here, not in the UI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_model.models import Node
from graph_model.store import (
    GraphStore,
    IngestRunSummary,
    QuarantineRecord,
    StoreStats,
    Subgraph,
    open_store,
)
from ingest.pipeline import IngestSummary, Progress, ingest_paths
from netzicht.settings import Settings, get_settings


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    regions: tuple[str, ...] = ("*",)


class Service:
    def __init__(self, store: GraphStore, settings: Settings, identity: Identity) -> None:
        self.store = store
        self.settings = settings
        self.identity = identity

    @classmethod
    def open(cls, store_uri: str | None = None, settings: Settings | None = None) -> Service:
        settings = settings or get_settings()
        uri = store_uri or settings.store
        identity = Identity(
            settings.user, settings.role, tuple(r.strip() for r in settings.regions.split(","))
        )
        return cls(open_store(uri), settings, identity)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest ------------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path],
        source: str,
        mapping: str | Path | None = None,
        progress: Progress | None = None,
        batch_rows: int | None = None,
    ) -> IngestSummary:
        from ingest.mapping import available_mappings

        chosen = mapping or (source if source in available_mappings() else "generic")
        options: dict[str, Any] = {"progress": progress}
        if batch_rows:
            options["batch_rows"] = batch_rows
        return ingest_paths(
            self.store, paths, source, chosen, self.settings.quarantine_dir(), **options
        )

    # -- reading -----------------------------------------------------------------------------

    def stats(self) -> StoreStats:
        return self.store.stats()

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        return self.store.search(text, labels, limit)

    def node(self, uid: str) -> Node | None:
        return self.store.get_node(uid)

    def neighbourhood(
        self, uid: str, hops: int = 1, limit: int = 200, types: Sequence[str] | None = None
    ) -> Subgraph:
        return self.store.neighbourhood(uid, hops=hops, limit=limit, types=types)

    def runs(self, limit: int = 50) -> list[IngestRunSummary]:
        return self.store.runs(limit)

    def quarantine(self, run_id: str | None = None, limit: int = 1000) -> list[QuarantineRecord]:
        return self.store.quarantine(run_id, limit)

    # -- analytics ---------------------------------------------------------------------------

    @property
    def analytics(self) -> Any:
        """The analytics service (networks, key actors, disruption, leads, reports)."""
        from netzicht.analytics_service import AnalyticsService

        if not hasattr(self, "_analytics"):
            self._analytics = AnalyticsService(self.store, self.settings)
        return self._analytics
