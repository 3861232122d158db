"""Service layer for online ads (crawl, analysis, clusters, circuits) and entity resolution.

Used by the CLI and the dashboard. When built from a :class:`netzicht.service.Service` the
caller's permissions are checked and every action is audited there; the classes also work on a
bare store (benches, tests of the analytics).

Permissions: crawling is an ingest (``ingest``); running the ad analysis or the resolution is
``analyze``; reading clusters, circuits and the review queue shows phone numbers and names
(``read_personal``); accepting, rejecting or undoing a merge changes who is who
(``read_personal`` plus an audit entry with the reason).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph_model.store.base import GraphStore
from netzicht.settings import Settings


class _Guarded:
    def __init__(self, store: GraphStore, settings: Settings, service: Any | None = None) -> None:
        self.store = store
        self.settings = settings
        self._service = service

    @classmethod
    def for_service(cls, service: Any) -> Any:
        return cls(service.store, service.settings, service)

    def _require(self, action: str, what: str = "") -> None:
        if self._service is not None:
            self._service.require(action, what)

    def _audit(self, action: str, target: str, details: dict[str, Any] | None = None) -> None:
        if self._service is not None:
            self._service.audit(action, target, details)


class AdsService(_Guarded):
    """Crawl ad sites, analyse ads, and read ranked clusters and circuits."""

    def crawl(
        self, config: Path, out: Path, max_pages: int | None = None, state: Path | None = None
    ) -> dict[str, Any]:
        """Crawl one site (in a fresh process: Scrapy's reactor runs once per process)."""
        from ingest.crawl import crawl_in_subprocess

        self._require("ingest", f"crawl {config}")
        summary = crawl_in_subprocess(config, out, max_pages, state).as_dict()
        self._audit("crawl", str(config), {"out": str(out), "pages": summary["pages"]})
        return summary

    def analyse(
        self, include_hypotheses: bool = False, text_threshold: float | None = 0.9
    ) -> dict[str, Any]:
        """Run the ad analysis on every ad in the store and write clusters back."""
        from analytics.ads import AdAnalysisConfig, run_ad_analysis

        self._require("analyze", "online ads")
        config = AdAnalysisConfig(
            include_hypotheses=include_hypotheses,
            text_threshold=text_threshold,
            seed=self.settings.seed,
        )
        run_id, document = run_ad_analysis(self.store, config)
        self._audit("ads_analyse", run_id, {"ads": document["ads"]})
        document.pop("ad_results", None)
        return document

    def _latest(self) -> tuple[str, dict[str, Any]] | None:
        return self.store.latest_result("ads")

    def clusters(self, limit: int = 50, min_size: int = 1) -> list[dict[str, Any]]:
        """Ad clusters ranked by score, each with its indicator breakdown and reasons."""
        self._require("read_personal", "ad clusters")
        found = self._latest()
        if found is None:
            return []
        rows = [c for c in found[1]["clusters"] if c["size"] >= min_size][:limit]
        self._audit("read_ad_clusters", found[0], {"rows": len(rows)})
        return rows

    def cluster(self, cluster_id: str) -> dict[str, Any] | None:
        self._require("read_personal", f"ad cluster {cluster_id}")
        found = self._latest()
        if found is None:
            return None
        for c in found[1]["clusters"]:
            if cluster_id in (c["id"], c["uid"]):
                self._audit("read_ad_cluster", cluster_id)
                return dict(c)
        return None

    def circuits(self, limit: int = 50) -> list[dict[str, Any]]:
        self._require("read_personal", "ad circuits")
        found = self._latest()
        return [] if found is None else list(found[1]["circuits"][:limit])

    def ad(self, uid: str) -> dict[str, Any] | None:
        """One ad's indicators, score and reasons from the latest analysis."""
        self._require("read_personal", uid)
        found = self._latest()
        if found is None:
            return None
        return self.store.node_result(uid, found[0])

    def catalogue(self) -> dict[str, Any]:
        """The indicator catalogue (grades, weights, directions) for the 'how we score' panel."""
        from analytics.ads.score import load_catalogue

        cat = load_catalogue()
        return {
            "reference": cat.reference,
            "indicators": [
                {
                    "id": i.id,
                    "label": i.label,
                    "grade": i.grade,
                    "direction": i.direction,
                    "weight": i.weight,
                    "note": i.note,
                }
                for i in cat.indicators
            ],
            "linking": cat.linking,
        }


class ResolutionService(_Guarded):
    """Resolve person records, list the review queue, accept, reject and undo merges."""

    def resolve(self) -> dict[str, Any]:
        from analytics.resolution import run_resolution

        self._require("analyze", "entity resolution")
        run_id, document = run_resolution(self.store)
        self._audit("resolve", run_id, {"merges": document["stats"]["merges"]})
        return {"run_id": run_id, **document["stats"]}

    def latest(self) -> dict[str, Any] | None:
        from analytics.resolution import latest_resolution

        found = latest_resolution(self.store)
        return None if found is None else {"run_id": found[0], **found[1].get("stats", {})}

    def review_queue(self, limit: int = 100) -> list[dict[str, Any]]:
        """Suggested merges with both records' names and sources, highest score first."""
        from analytics.resolution import review_queue

        self._require("read_personal", "merge review queue")
        queue = review_queue(self.store, limit)
        nodes = {
            n.uid: n
            for n in self.store.get_nodes(sorted({u for m in queue for u in (m["a"], m["b"])}))
        }
        for m in queue:
            for side in ("a", "b"):
                node = nodes.get(m[side])
                m[f"{side}_name"] = node.name if node is not None else None
                m[f"{side}_properties"] = node.properties if node is not None else {}
        self._audit("read_review_queue", "resolution", {"rows": len(queue)})
        return queue

    def accept(self, merge_id: str, reason: str) -> dict[str, Any]:
        return self._decide(merge_id, True, reason)

    def reject(self, merge_id: str, reason: str) -> dict[str, Any]:
        return self._decide(merge_id, False, reason)

    def _decide(self, merge_id: str, accept: bool, reason: str) -> dict[str, Any]:
        from analytics.resolution import decide

        self._require("read_personal", f"merge {merge_id}")
        by = self._service.identity.user if self._service is not None else "local"
        result = decide(self.store, merge_id, accept, reason, by)
        self._audit("accept_merge" if accept else "reject_merge", merge_id, {"reason": reason})
        return result

    def unresolve(self, what: str, reason: str) -> list[dict[str, Any]]:
        from analytics.resolution import unresolve

        self._require("read_personal", f"unresolve {what}")
        by = self._service.identity.user if self._service is not None else "local"
        undone = unresolve(self.store, what, reason, by)
        self._audit("unresolve", what, {"reason": reason, "merges": [m["id"] for m in undone]})
        return undone

    def person(self, uid: str) -> dict[str, Any]:
        """A resolved person: its cluster id and every source record with provenance."""
        from analytics.resolution import load_clusters

        self._require("read_personal", uid)
        clusters = load_clusters(self.store)
        cluster = clusters.get(uid, uid)
        members = sorted(u for u, c in clusters.items() if c == cluster) or [uid]
        records = []
        for member in members:
            node = self.store.get_node(member)
            if node is not None:
                records.append(
                    {
                        "uid": node.uid,
                        "name": node.name,
                        "properties": node.properties,
                        "sources": [s.model_dump(mode="json") for s in node.sources],
                    }
                )
        self._audit("read_person", uid)
        return {"person": cluster, "records": records}
