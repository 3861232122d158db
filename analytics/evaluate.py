"""Score an analysis run against the synthetic generator's ground truth (`truth.json`).

* **Network recovery** — adjusted Rand index (Hubert & Arabie 1985, J. Classification 2:193)
  over the store records of every member of a planted network: the true label is the planted
  network id, the predicted label the network id the run gave that record, or a singleton
  label of its own when the record is in no network::

      ARI = (Σ_ij C(n_ij, 2) − E) / (½[Σ_i C(a_i, 2) + Σ_j C(b_j, 2)] − E),
      E = Σ_i C(a_i, 2) · Σ_j C(b_j, 2) / C(n, 2)

* **Organiser hit** — for a planted network with at least `min_members` members: the predicted
  network holding most of its records is found; a hit when any record of the planted organiser
  is among that network's top 3 key actors.
* **Victims in top 3** — records of true victims among any network's top 3 key actors
  (should be 0).

Records pseudonymised at ingest (care intakes: protection is kept apart from investigation, so
their identifiers are keyed pseudonyms that link to nothing on purpose) are left out of the ARI
and reported as `records_protected`; `ari_all_records` is the ARI with them as singletons.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from analytics.projection import AnalyticsError

TOP = 3


class PlantedNetworkScore(BaseModel):
    id: str
    members: int
    records: int
    predicted: str | None
    share: float  # of the planted network's records in the predicted network
    organiser_rank: int | None  # 1-based position among the key actors, None when absent
    hit: bool


class EvaluationResult(BaseModel):
    run_id: str
    truth: str
    ari: float
    ari_all_records: float
    records: int
    records_protected: int
    planted_networks: int
    organiser_hits: int
    organiser_eligible: int
    organiser_hit_rate: float
    victims_in_top3: int
    victims_in_top3_uids: list[str]
    networks: list[PlantedNetworkScore]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()


def adjusted_rand_index(truth: list[str], predicted: list[str]) -> float:
    """ARI of two labelings of the same items (1 = identical partitions, ~0 = chance).

    >>> adjusted_rand_index(["a", "a", "b", "b"], ["x", "x", "y", "y"])
    1.0
    """
    if len(truth) != len(predicted):
        raise ValueError("labelings differ in length")
    n = len(truth)
    if n < 2:
        return 1.0
    _, t = np.unique(np.asarray(truth, dtype=object).astype(str), return_inverse=True)
    _, p = np.unique(np.asarray(predicted, dtype=object).astype(str), return_inverse=True)
    pairs = t.astype(np.int64) * (p.max() + 1) + p
    _, n_ij = np.unique(pairs, return_counts=True)

    def comb2(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    sum_ij = comb2(n_ij)
    sum_a = comb2(np.bincount(t))
    sum_b = comb2(np.bincount(p))
    expected = sum_a * sum_b / (n * (n - 1) / 2)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (sum_ij - expected) / (maximum - expected)


def load_truth(path: Path) -> dict[str, Any]:
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnalyticsError(f"--truth: {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise AnalyticsError(f"--truth: {path}: line {exc.lineno}: not JSON ({exc.msg})") from None
    for key in ("networks", "people"):
        if key not in truth:
            raise AnalyticsError(f"--truth: {path}: no {key!r} key (not a synth truth file)")
    return truth


def evaluate(
    truth: dict[str, Any],
    analysis: dict[str, Any],
    truth_name: str = "truth.json",
    min_members: int = 10,
    protected: frozenset[str] = frozenset(),
) -> EvaluationResult:
    """Score the stored analysis document (`AnalysisResult.model_dump()`) against the truth.

    `protected`: record uids pseudonymised at ingest (left out of the ARI, see module doc).
    """
    network_of: dict[str, str] = {}
    top3: dict[str, list[str]] = {}
    for net in analysis["networks"]:
        for uid in net["members"]:
            network_of[uid] = net["id"]
        top3[net["id"]] = [k["uid"] for k in net["key_actors"][:TOP]]
    people = truth["people"]
    true_labels: list[str] = []
    predicted: list[str] = []
    is_protected: list[bool] = []
    scores: list[PlantedNetworkScore] = []
    hits = eligible = 0
    for net in truth["networks"]:
        # a member no source ever recorded has no records (the generator may leave some out)
        records = [
            r for member in net["members"] for r in people.get(member, {}).get("records", [])
        ]
        for r in records:
            true_labels.append(net["id"])
            predicted.append(network_of.get(r, f"singleton:{r}"))
            is_protected.append(r in protected)
        held = Counter(network_of[r] for r in records if r in network_of)
        best, count = held.most_common(1)[0] if held else (None, 0)
        organiser_records = set(people.get(net["organiser"], {}).get("records", []))
        rank = None
        if best is not None:
            for pos, uid in enumerate(top3[best], start=1):
                if uid in organiser_records:
                    rank = pos
                    break
        big = len(net["members"]) >= min_members
        hit = rank is not None
        if big:
            eligible += 1
            hits += int(hit)
        scores.append(
            PlantedNetworkScore(
                id=net["id"],
                members=len(net["members"]),
                records=len(records),
                predicted=best,
                share=round(count / len(records), 4) if records else 0.0,
                organiser_rank=rank,
                hit=hit,
            )
        )
    victim_records = {r for p in people.values() if p.get("role") == "victim" for r in p["records"]}
    in_top = sorted({uid for uids in top3.values() for uid in uids} & victim_records)
    linkable = [i for i, p in enumerate(is_protected) if not p]
    return EvaluationResult(
        run_id=str(analysis.get("run_id", "")),
        truth=truth_name,
        ari=round(
            adjusted_rand_index(
                [true_labels[i] for i in linkable], [predicted[i] for i in linkable]
            ),
            4,
        ),
        ari_all_records=round(adjusted_rand_index(true_labels, predicted), 4),
        records=len(linkable),
        records_protected=len(true_labels) - len(linkable),
        planted_networks=len(truth["networks"]),
        organiser_hits=hits,
        organiser_eligible=eligible,
        organiser_hit_rate=round(hits / eligible, 4) if eligible else 0.0,
        victims_in_top3=len(in_top),
        victims_in_top3_uids=in_top,
        networks=scores,
    )
