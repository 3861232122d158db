"""The service layer every front end goes through (CLI and dashboard).

Front ends never touch a store directly: they hold a `Service`, which owns the store, the
identity of the caller and the settings. Access control and audit hook in here, not in the UI.
"""

from __future__ import annotations

import json
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
from netzicht.access import Identity, refusal
from netzicht.errors import AccessDenied, NetzichtError
from netzicht.privacy.audit import AuditLog
from netzicht.settings import Settings, get_settings


@dataclass(frozen=True)
class Profile:
    node: Node
    scores: dict[str, Any] | None
    is_victim: bool
    # why the person is protected as a victim (known, probable or possible), when they are
    victim_reason: str | None = None


class Service:
    def __init__(self, store: GraphStore, settings: Settings, identity: Identity) -> None:
        self.store = store
        self.settings = settings
        self.identity = identity
        self.audit_log = AuditLog(settings.data_dir / "audit.jsonl")
        self._protected_sources: frozenset[str] | None = None

    @classmethod
    def open(
        cls,
        store_uri: str | None = None,
        settings: Settings | None = None,
        identity: Identity | None = None,
    ) -> Service:
        settings = settings or get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        uri = store_uri or settings.store
        identity = identity or Identity(
            settings.user, settings.role, tuple(r.strip() for r in settings.regions.split(","))
        )
        return cls(open_store(uri), settings, identity)

    def as_identity(self, identity: Identity) -> Service:
        """The same store and settings, acting for another signed-in user (dashboard sessions)."""
        other = Service.__new__(Service)
        other.__dict__.update(self.__dict__)
        other.identity = identity
        other.__dict__.pop("_insight", None)
        return other

    # -- access and audit ----------------------------------------------------------------------

    def audit(self, action: str, target: str, details: dict[str, Any] | None = None) -> None:
        self.audit_log.append(
            actor=self.identity.user,
            role=self.identity.role,
            action=action,
            target=target or "-",
            purpose=self.settings.purpose,
            details=details or {},
        )

    def require(self, action: str, what: str = "") -> None:
        if not self.identity.may(action):
            error = refusal(self.identity, action, what)
            self.audit("refused", what or action, {"wanted": action})
            raise error

    def protected_sources(self) -> frozenset[str]:
        """Sources whose mapping is protected (care intakes): shown only to those allowed."""
        if self._protected_sources is None:
            from ingest.mapping import load_mapping

            names: set[str] = set()
            for run in self.store.runs(limit=10_000):
                try:
                    if load_mapping(run.mapping).protected:
                        names.add(run.source)
                except NetzichtError:
                    continue  # a mapping file that is gone cannot mark its source protected
            self._protected_sources = frozenset(names)
        return self._protected_sources

    def is_protected(self, node: Node) -> bool:
        sources = {s.source for s in node.sources}
        if not sources and node.label == "Person":
            sources = {node.uid.split(":")[1]}
        return bool(sources) and sources <= self.protected_sources()

    def _visible(self, node: Node) -> bool:
        """May this identity see this record? Protected data only for read_protected roles."""
        protected = self.is_protected(node)
        if protected:
            return self.identity.may("read_protected")
        return self.identity.may("read_personal")

    def _require_visible(self, node: Node) -> None:
        if self._visible(node):
            return
        action = "read_protected" if self.is_protected(node) else "read_personal"
        raise self._refuse(action, node.uid)

    def _refuse(self, action: str, what: str) -> AccessDenied:
        self.audit("refused", what, {"wanted": action})
        return refusal(self.identity, action, what)

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
        workers: int | None = None,
    ) -> IngestSummary:
        from ingest.mapping import available_mappings, load_mapping

        self.require("ingest", source)
        chosen = mapping or (source if source in available_mappings() else "generic")
        options: dict[str, Any] = {"progress": progress, "workers": workers}
        loaded = load_mapping(chosen)  # a mapping that pseudonymises loads its keys at ingest
        if batch_rows:
            options["batch_rows"] = batch_rows
        summary = ingest_paths(
            self.store, paths, source, loaded, self.settings.quarantine_dir(), **options
        )
        self._protected_sources = None
        self.audit(
            "ingest",
            source,
            {
                "run_id": summary.run_id,
                "mapping": summary.mapping,
                "rows_read": summary.rows_read,
                "rows_quarantined": summary.rows_quarantined,
            },
        )
        return summary

    # -- reading -----------------------------------------------------------------------------

    def stats(self) -> StoreStats:
        return self.store.stats()

    def search(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        """Find records by name or identifier; only what this identity may see, audited."""
        if not (self.identity.may("read_personal") or self.identity.may("read_protected")):
            raise self._refuse("read_personal", "search")
        found = self.store.search(text, labels, limit * 3)
        full = self.store.get_nodes([n.uid for n in found])
        with_sources = {n.uid: n for n in (self.store.get_node(n.uid) for n in full) if n}
        visible = [n for n in found if n.uid in with_sources and self._visible(with_sources[n.uid])]
        self.audit("search", text, {"results": len(visible[:limit])})
        return visible[:limit]

    def node(self, uid: str) -> Node | None:
        node = self.store.get_node(uid)
        if node is not None:
            self._require_visible(node)
            self.audit("read", uid)
        return node

    def profile(self, uid: str) -> Profile | None:
        """A record with its provenance, its latest scores and reasons, and victim status."""
        node = self.node(uid)
        if node is None:
            return None
        scores = self.store.node_result(uid)
        # The latest analysis also protects probable and possible victims (see
        # analytics.projection.load_slice), which the records alone do not show.
        reason = scores.get("victim_reason") if scores and scores.get("victim") else None
        if reason is None and self.is_victim(uid):
            from analytics.projection import KNOWN_VICTIM

            reason = KNOWN_VICTIM
        return Profile(node=node, scores=scores, is_victim=reason is not None, victim_reason=reason)

    def is_victim(self, uid: str) -> bool:
        """Known as a (possible) victim: a VICTIM_IN edge, a victim role, or a care intake."""
        node = self.store.get_node(uid)
        if node is None or node.label != "Person":
            return False
        if node.properties.get("role") == "victim":
            return True
        around = self.store.neighbourhood(uid, hops=1, limit=500, types=["VICTIM_IN", "CONCERNS"])
        if any(e.type == "VICTIM_IN" and e.src == uid for e in around.edges):
            return True
        intakes = {n.uid for n in around.nodes if n.properties.get("kind") == "care_intake"}
        return any(e.type == "CONCERNS" and e.src in intakes for e in around.edges)

    def neighbourhood(
        self, uid: str, hops: int = 1, limit: int = 200, types: Sequence[str] | None = None
    ) -> Subgraph:
        """The records around `uid`, hop by hop; protected records are left out unless allowed."""
        centre = self.store.get_node(uid)
        if centre is None:
            return Subgraph(nodes=[], edges=[])
        self._require_visible(centre)
        sub = self.store.neighbourhood(uid, hops=hops, limit=limit, types=types)
        hidden: set[str] = set()
        if not self.identity.may("read_protected") and self.protected_sources():
            for node in sub.nodes:
                full = self.store.get_node(node.uid)
                if full is not None and self.is_protected(full):
                    hidden.add(node.uid)
        self.audit("read_neighbourhood", uid, {"hops": hops, "nodes": len(sub.nodes) - len(hidden)})
        return Subgraph(
            nodes=[n for n in sub.nodes if n.uid not in hidden],
            edges=[e for e in sub.edges if e.src not in hidden and e.dst not in hidden],
            truncated=sub.truncated,
        )

    def reidentify(self, uid: str, purpose: str) -> dict[str, Any]:
        """The raw values behind a pseudonymised record, for authorised roles only (audited)."""
        from netzicht.privacy.pseudonymise import Vault

        self.require("reidentify", uid)
        node = self.store.get_node(uid)
        if node is None:
            raise NetzichtError(f"no record {uid!r} in this store")
        if self.is_protected(node) and not self.identity.may("read_protected"):
            raise self._refuse("read_protected", uid)
        token = node.properties.get("sealed")
        if not token:
            raise NetzichtError(f"{uid} is not pseudonymised: nothing to re-identify")
        values: dict[str, Any] = json.loads(Vault.from_env().decrypt(str(token)))
        self.audit_log.append(
            actor=self.identity.user,
            role=self.identity.role,
            action="reidentify",
            target=uid,
            purpose=purpose,
            details={"fields": sorted(values)},
        )
        return values

    def audit_entries(self, limit: int = 1000) -> list[Any]:
        self.require("audit_read", "audit log")
        return self.audit_log.entries()[-limit:]

    def audit_verify(self) -> Any:
        self.require("audit_read", "audit log")
        return self.audit_log.verify()

    def runs(self, limit: int = 50) -> list[IngestRunSummary]:
        return self.store.runs(limit)

    def quarantine(self, run_id: str | None = None, limit: int = 1000) -> list[QuarantineRecord]:
        return self.store.quarantine(run_id, limit)

    # -- analytics ---------------------------------------------------------------------------

    @property
    def insight(self) -> Any:
        """Networks, actors, what-ifs, leads and trends as this identity may see them."""
        from netzicht.insight import Insight

        if "_insight" not in self.__dict__:
            self._insight = Insight(self)
        return self._insight

    @property
    def analytics(self) -> Any:
        """The analytics service (networks, key actors, disruption, leads, reports)."""
        from netzicht.analytics_service import AnalyticsService

        if not hasattr(self, "_analytics"):
            self._analytics = AnalyticsService(self.store, self.settings)
        return self._analytics
