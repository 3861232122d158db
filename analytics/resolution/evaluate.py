"""Pairwise precision and recall of a resolution against ground truth.

A true pair is two record uids of the same true person; a predicted pair is two record uids in
the same cluster. Precision = |predicted ∩ true| / |predicted|, recall = |predicted ∩ true| /
|true| (Christen 2012, *Data Matching*, §7.3). Only records that the truth knows are counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import Any

from graph_model.store.base import GraphStore


def _pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        out.update(combinations(sorted(group), 2))
    return out


def truth_groups(truth: Mapping[str, Any]) -> dict[str, str]:
    """Record uid -> true person id, from a synth truth.json document."""
    return {
        uid: tid for tid, person in truth.get("people", {}).items() for uid in person["records"]
    }


def pairwise_scores(
    clusters: Mapping[str, str],
    true_person: Mapping[str, str],
    known: Iterable[str] | None = None,
) -> dict[str, float | int]:
    """Pairwise scores; ``known`` limits the truth to records in the store (a quarantined row
    never became a record, so no resolver can find it)."""
    if known is not None:
        keep = set(known)
        true_person = {uid: tid for uid, tid in true_person.items() if uid in keep}
    predicted_groups: dict[str, list[str]] = defaultdict(list)
    for uid, cluster in clusters.items():
        if uid in true_person:
            predicted_groups[cluster].append(uid)
    true_groups: dict[str, list[str]] = defaultdict(list)
    for uid, tid in true_person.items():
        true_groups[tid].append(uid)
    predicted = _pairs(predicted_groups.values())
    true = _pairs(true_groups.values())
    hits = len(predicted & true)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "predicted_pairs": len(predicted),
        "true_pairs": len(true),
        "correct_pairs": hits,
    }


def comparable_records(store: GraphStore) -> list[str]:
    """Person records a resolver may be scored on: every record that is not pseudonymised.

    A pseudonymised record (a care intake) carries keyed pseudonyms instead of names and birth
    dates on purpose — protection is separate from investigation — so it can only be matched by
    hit/no-hit checks, never by the resolver; counting its true pairs as misses would punish the
    privacy policy, not the matching.
    """
    return [n.uid for n in store.iter_nodes(["Person"]) if not n.properties.get("pseudonymised")]
