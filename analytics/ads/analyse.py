"""The ad analysis end to end: extract → link and cluster → circuits → score → write back.

Clusters of two or more ads become `AdCluster` nodes (source ``ad-analysis``, record = cluster id)
with `PART_OF` edges from their ads, so the case graph and every analytic see them; their phones
are already in the graph through `LISTS`. Scores, indicator breakdowns, reasons and circuits are
stored as one result document of kind ``ads`` and per-ad node results under the same run id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.ads.circuits import find_circuits
from analytics.ads.cluster import TEXT_THRESHOLD, cluster_ads
from analytics.ads.model import Ad, load_ads
from analytics.ads.score import breakdown, detect, load_catalogue, price_context, score_ad
from graph_model.identity import source_record_uid
from graph_model.store.base import EdgeRecord, GraphStore, NodeRecord, WriteBatch

SOURCE = "ad-analysis"
RESULT_KIND = "ads"


@dataclass(frozen=True)
class AdAnalysisConfig:
    text_threshold: float | None = TEXT_THRESHOLD
    max_hamming: int = 4
    include_hypotheses: bool = False
    min_cities: int = 2
    min_moves: int = 2
    seed: int = 7


def analyse_ads(ads: Sequence[Ad], config: AdAnalysisConfig | None = None) -> dict[str, Any]:
    """The analysis document for `ads` (nothing is written)."""
    config = config or AdAnalysisConfig()
    catalogue = load_catalogue()
    clustering = cluster_ads(ads, config.text_threshold, config.max_hamming, config.seed)
    ctx = price_context(ads)
    by_uid = {ad.uid: ad for ad in ads}
    hits = {ad.uid: detect(ad, catalogue, ctx) for ad in ads}
    ad_docs: dict[str, dict[str, Any]] = {}
    for ad in ads:
        score, reasons = score_ad(hits[ad.uid], catalogue, config.include_hypotheses)
        ad_docs[ad.uid] = {
            "score": score,
            "cluster": clustering.cluster_of[ad.uid],
            "indicators": hits[ad.uid],
            "reasons": reasons,
            "phones": list(ad.phones),
            "obscured_phones": [h.raw for h in ad.phone_hits if h.obscured],
            "emails": list(ad.emails),
            "city": ad.city,
            "stated_age": ad.stated_age,
            "price": ad.price,
            "languages": list(ad.languages),
        }
    circuits = find_circuits(ads, clustering.cluster_of, config.min_cities, config.min_moves)
    circuit_of: dict[str, dict[str, Any]] = {}
    for c in circuits:
        if c["cluster"] is not None:
            circuit_of.setdefault(c["cluster"], c)
    clusters: list[dict[str, Any]] = []
    for cid, members in clustering.members.items():
        member_ads = [by_uid[u] for u in members]
        score, rows, reasons = breakdown(
            [hits[u] for u in members], catalogue, config.include_hypotheses
        )
        link_kinds = Counter(link.kind for link in clustering.links.get(cid, []))
        phones = sorted({p for a in member_ads for p in a.phones})
        images = sorted({h for a in member_ads for h in a.image_hashes})
        cities = sorted({a.city for a in member_ads if a.city})
        dates = sorted(a.posted for a in member_ads if a.posted)
        hypotheses = [r for r in rows if r["grade"] == "hypothesis"]
        linking: list[str] = []
        for kind, label in (
            ("phone", "shared phone"),
            ("email", "shared e-mail"),
            ("image", "near-identical image"),
            ("text", "near-duplicate text"),
        ):
            if link_kinds.get(kind):
                linking.append(f"{label}: {link_kinds[kind]} link(s)")
        if len(images) >= 2 and phones:
            # Several different people advertised through one contact: third-party control is
            # a practitioner's hypothesis, shown but not scored.
            hypotheses.append(
                {
                    "id": "several_people_one_contact",
                    "label": "Several different people advertised through one contact",
                    "grade": "hypothesis",
                    "direction": 1,
                    "weight": 1.0,
                    "ads": len(members),
                    "share": 1.0,
                    "scored": False,
                    "contribution": 0.0,
                    "example": f"{len(images)} different images, phones {', '.join(phones[:3])}",
                    "note": "untested; common in police practice",
                }
            )
        circuit = circuit_of.get(cid)
        if circuit is not None:
            linking.append(circuit["reason"])
        label = (
            f"{phones[0] if phones else 'no phone'} · {len(members)} ads · "
            f"{', '.join(cities[:3])}{'…' if len(cities) > 3 else ''}"
        )
        clusters.append(
            {
                "id": cid,
                "uid": source_record_uid("AdCluster", SOURCE, cid),
                "label": label,
                "size": len(members),
                "ads": members,
                "phones": phones,
                "emails": sorted({e for a in member_ads for e in a.emails}),
                "image_hashes": images,
                "sites": sorted({a.site for a in member_ads}),
                "cities": cities,
                "first": dates[0] if dates else None,
                "last": dates[-1] if dates else None,
                "score": score,
                "indicators": [r for r in rows if r["grade"] != "hypothesis"],
                "hypotheses": hypotheses,
                "reasons": reasons
                + (["linked by " + "; ".join(linking)] if linking else [])
                + (
                    ["no validated indicator found"]
                    if not any(r["grade"] == "validated" for r in rows)
                    else []
                ),
                "linking": linking,
                "circuit": circuit,
                "related": [
                    {"cluster": b if a == cid else a, "why": why}
                    for a, b, why in clustering.related
                    if cid in (a, b)
                ],
            }
        )
    clusters.sort(key=lambda c: (-c["score"], -c["size"], c["id"]))
    for rank, c in enumerate(clusters, start=1):
        c["rank"] = rank
    return {
        "ads": len(ads),
        "clusters": clusters,
        "circuits": circuits,
        "ad_results": ad_docs,
        "catalogue": {
            "reference": catalogue.reference,
            "indicators": [
                {
                    "id": i.id,
                    "label": i.label,
                    "grade": i.grade,
                    "direction": i.direction,
                    "weight": i.weight,
                    "scores": i.scores(config.include_hypotheses),
                    "note": i.note,
                }
                for i in catalogue.indicators
            ],
        },
        "config": {
            "text_threshold": config.text_threshold,
            "max_hamming": config.max_hamming,
            "include_hypotheses": config.include_hypotheses,
        },
    }


def write_clusters(store: GraphStore, document: dict[str, Any], ingested_at: str) -> int:
    """AdCluster nodes and PART_OF edges for every cluster of two or more ads."""
    nodes: list[NodeRecord] = []
    edges: list[EdgeRecord] = []
    for c in document["clusters"]:
        if c["size"] < 2:
            continue
        nodes.append(
            NodeRecord(
                uid=c["uid"],
                label="AdCluster",
                name=c["label"],
                properties={"label": c["label"], "score": c["score"]},
                source=SOURCE,
                record=c["id"],
                seen=c["last"],
            )
        )
        edges.extend(
            EdgeRecord(src=ad, type="PART_OF", dst=c["uid"], properties={}, source=SOURCE,
                       record=c["id"])
            for ad in c["ads"]
        )  # fmt: skip
    store.write_batch(WriteBatch(nodes=nodes, edges=edges), ingested_at)
    return len(nodes)


def run_ad_analysis(
    store: GraphStore, config: AdAnalysisConfig | None = None, write: bool = True
) -> tuple[str, dict[str, Any]]:
    """Analyse every ad in the store; store the document (and clusters) unless ``write`` is off."""
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    run_id = f"ads-{created[:10]}-{uuid.uuid4().hex[:8]}"
    document = analyse_ads(load_ads(store), config)
    document["run_id"] = run_id
    document["created"] = created
    if write:
        ad_results = document.pop("ad_results")
        document["clusters_written"] = write_clusters(store, document, created)
        store.save_result(run_id, RESULT_KIND, created, document)
        store.save_node_results(
            run_id, [(uid, doc["cluster"], doc) for uid, doc in sorted(ad_results.items())]
        )
        document["ad_results"] = ad_results
    return run_id, document
