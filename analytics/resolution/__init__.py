"""Entity resolution of person records across sources, with review and undo.

The resolution is stored as a result document of kind ``resolution``::

    {"clusters": {record uid: resolved person id},      # only records in clusters of 2+
     "merges": [{id, a, b, score, evidence, status, reason}, ...],
     "stats": {...}, "decisions": {merge id: {status, reason, by, at}}}

A resolved person id is the smallest record uid of its cluster, so it names a real Person node;
records absent from ``clusters`` are their own person (``clusters.get(uid, uid)``). Accepted and
automatic merges are also written as SAME_AS edges (source ``resolution``, record = merge id),
keeping every record and its provenance as it was: resolution links records, it never rewrites
them. Reviewer decisions (accept, reject, undo) are kept with their reasons and survive re-runs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from analytics.resolution.matching import (
    Merge,
    ResolutionResult,
    ResolverConfig,
    clusters_from_merges,
    merge_id,
    resolve,
)
from analytics.resolution.records import PersonRecord, load_context, load_person_records
from graph_model.store.base import EdgeRecord, GraphStore, WriteBatch
from netzicht.errors import NetzichtError

RESULT_KIND = "resolution"
SOURCE = "resolution"
DECIDED = frozenset({"accepted", "rejected", "undone"})


class ResolutionError(NetzichtError):
    """A merge or record named by the user is not in the stored resolution."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def latest_resolution(store: GraphStore) -> tuple[str, dict[str, Any]] | None:
    return store.latest_result(RESULT_KIND)


def load_clusters(store: GraphStore) -> dict[str, str]:
    """Record uid -> resolved person id for every record merged with another; {} if none.

    Records not in the map are unresolved: they are their own person (``.get(uid, uid)``).
    """
    found = latest_resolution(store)
    if found is None:
        return {}
    return dict(found[1].get("clusters", {}))


def _same_as(merges: list[Merge]) -> list[EdgeRecord]:
    return [
        EdgeRecord(
            src=m.a,
            type="SAME_AS",
            dst=m.b,
            properties={"note": f"{m.status}, score {m.score}", "weight": m.score},
            source=SOURCE,
            record=m.id,
        )
        for m in merges
        if m.in_effect
    ]


def _document(result: ResolutionResult, decisions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "clusters": result.clusters,
        "merges": [m.as_dict() for m in result.merges],
        "stats": result.stats,
        "decisions": decisions,
    }


def run_resolution(
    store: GraphStore,
    config: ResolverConfig | None = None,
    records: list[PersonRecord] | None = None,
    use_context: bool = True,
) -> tuple[str, dict[str, Any]]:
    """Resolve every Person record in the store; earlier review decisions are kept."""
    previous = latest_resolution(store)
    decisions: dict[str, dict[str, Any]] = (
        dict(previous[1].get("decisions", {})) if previous else {}
    )
    if records is None:
        records = load_person_records(store)
    result = resolve(
        records,
        config,
        {
            mid: (d["status"], d.get("reason", ""), d.get("a", ""), d.get("b", ""))
            for mid, d in decisions.items()
        },
        context=load_context(store, records) if use_context else None,
    )
    created = _now()
    run_id = f"resolution-{created[:10]}-{uuid.uuid4().hex[:8]}"
    document = _document(result, decisions)
    store.save_result(run_id, RESULT_KIND, created, document)
    store.write_batch(WriteBatch(edges=_same_as(result.merges)), created)
    return run_id, document


def _merges(document: dict[str, Any]) -> list[Merge]:
    return [
        Merge(m["a"], m["b"], m["score"], m["evidence"], m["status"], m.get("reason", ""))
        for m in document.get("merges", [])
    ]


def _save_decision(
    store: GraphStore,
    run_id: str,
    document: dict[str, Any],
    merges: list[Merge],
    changed: list[Merge],
    by: str,
) -> dict[str, Any]:
    at = _now()
    decisions = document.setdefault("decisions", {})
    for m in changed:
        decisions[m.id] = {
            "status": m.status, "reason": m.reason, "a": m.a, "b": m.b, "by": by, "at": at,
        }  # fmt: skip
    document["merges"] = [m.as_dict() for m in merges]
    document["clusters"] = clusters_from_merges(merges)
    created = document.get("stats", {}).get("created") or at
    document.setdefault("stats", {})["created"] = created
    store.save_result(run_id, RESULT_KIND, at, document)
    added = [m for m in changed if m.in_effect]
    if added:
        store.write_batch(WriteBatch(edges=_same_as(added)), at)
    removed = [m for m in changed if not m.in_effect]
    delete = getattr(store, "delete_edges", None)
    if removed and callable(delete):
        delete([(m.a, "SAME_AS", m.b) for m in removed], SOURCE)
    document["same_as_edges_left"] = (
        [] if callable(delete) else [m.id for m in removed if m.status != "rejected"]
    )
    return document


def decide(
    store: GraphStore, merge: str, accept: bool, reason: str, by: str = "local"
) -> dict[str, Any]:
    """Accept or reject one merge of the latest resolution, keeping the reason."""
    found = latest_resolution(store)
    if found is None:
        raise ResolutionError("no resolution yet: run `netzicht resolve` first")
    run_id, document = found
    merges = _merges(document)
    target = next((m for m in merges if m.id == merge), None)
    if target is None:
        raise ResolutionError(f"merge {merge!r} is not in resolution {run_id}")
    target.status = "accepted" if accept else "rejected"
    target.reason = reason
    _save_decision(store, run_id, document, merges, [target], by)
    return target.as_dict()


def unresolve(store: GraphStore, what: str, reason: str, by: str = "local") -> list[dict[str, Any]]:
    """Undo one merge (by merge id) or every merge of one record (by record uid)."""
    found = latest_resolution(store)
    if found is None:
        raise ResolutionError("no resolution yet: run `netzicht resolve` first")
    run_id, document = found
    merges = _merges(document)
    chosen = [m for m in merges if m.in_effect and (m.id == what or what in (m.a, m.b))]
    if not chosen:
        raise ResolutionError(
            f"{what!r} is neither a merge id nor a merged record in resolution {run_id}"
        )
    for m in chosen:
        m.status = "undone"
        m.reason = reason
    _save_decision(store, run_id, document, merges, chosen, by)
    return [m.as_dict() for m in chosen]


def review_queue(store: GraphStore, limit: int = 100) -> list[dict[str, Any]]:
    """Suggested merges awaiting a decision, highest score first."""
    found = latest_resolution(store)
    if found is None:
        return []
    queue = [m for m in found[1].get("merges", []) if m["status"] == "suggested"]
    queue.sort(key=lambda m: (-m["score"], m["id"]))
    return queue[:limit]


__all__ = [
    "Merge",
    "PersonRecord",
    "ResolutionError",
    "ResolverConfig",
    "decide",
    "load_clusters",
    "load_person_records",
    "merge_id",
    "resolve",
    "review_queue",
    "run_resolution",
    "unresolve",
]
