"""What the dashboard draws for one network: members, ties with their reasons, a timeline.

Built from the analytics' actor graph (the same ties the scores were computed on) so the picture
and the numbers agree. Pure functions of the actor graph and the analysis result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analytics.analysis import AnalysisResult, NetworkResult
from analytics.projection import KIND_DIRECT, KIND_SHARED, ActorGraph


@dataclass(frozen=True)
class MemberView:
    uid: str
    name: str
    role: str  # organiser | key actor | victim | person
    score: float
    rank: int | None
    community: int | None
    reasons: list[str]


@dataclass(frozen=True)
class TieView:
    src: str
    dst: str
    type: str  # the strongest kind of evidence: CALLED, MET, TRANSFERRED_TO, SHARED, ...
    weight: float
    reasons: list[str]


@dataclass(frozen=True)
class NetworkView:
    network: NetworkResult
    members: list[MemberView]
    ties: list[TieView]
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, observations


def _tie_type(best: Any) -> str:
    """The drawing's edge type: the relationship of the tie's strongest contribution."""
    if best is None or best.kind == KIND_SHARED:
        return "SHARED"
    if best.kind == KIND_DIRECT:
        return str(best.rel)
    return str(best.rel).split("+")[-1]


def network_view(
    actor: ActorGraph,
    analysis: AnalysisResult,
    network_id: str,
    *,
    reasons_per_tie: int = 3,
    max_ties_explained: int = 2000,
) -> NetworkView:
    net = next(n for n in analysis.networks if n.id == network_id)
    index = actor.index
    members = [uid for uid in net.members if uid in index]
    idx = np.array([index[u] for u in members], dtype=np.int64)
    inside = np.zeros(actor.n, dtype=bool)
    inside[idx] = True
    ties = np.flatnonzero(inside[actor.src] & inside[actor.dst])
    # Explain the heaviest ties first; a drawing is cut to the strongest ties anyway.
    ties = ties[np.argsort(-actor.weight[ties], kind="stable")]
    actors = {a.uid: a for a in analysis.actors}
    key = {k.uid for k in net.key_actors}
    top = net.key_actors[0].uid if net.key_actors else None
    key_scores = {k.uid: k for k in net.key_actors}
    member_views = []
    for uid in members:
        i = index[uid]
        result = actors.get(uid)
        if bool(actor.victim[i]):
            role = "victim"
        elif uid == top:
            role = "organiser"
        elif uid in key:
            role = "key actor"
        else:
            role = "person"
        score = (
            result.organiser_score
            if result
            else (key_scores[uid].score if uid in key_scores else 0.0)
        )
        reasons = (
            result.reasons if result else (key_scores[uid].reasons if uid in key_scores else [])
        )
        member_views.append(
            MemberView(
                uid,
                str(actor.names[i]),
                role,
                float(score),
                result.rank if result else None,
                None,
                list(reasons),
            )
        )
    explained = actor.explain_ties(ties[:max_ties_explained], limit=reasons_per_tie)
    tie_views = []
    for n, tie in enumerate(ties):
        best, reasons = explained[n] if n < len(explained) else (None, [])
        tie_views.append(
            TieView(
                str(actor.people[actor.src[tie]]),
                str(actor.people[actor.dst[tie]]),
                _tie_type(best),
                float(actor.weight[tie]),
                reasons,
            )
        )
    contrib = actor.contrib[actor.contrib["tie"].isin(ties)]
    dated = contrib.dropna(subset=["first"])
    if len(dated):
        months = pd.to_datetime(dated["first"]).dt.to_period("M").astype(str)
        timeline = (
            dated.assign(month=months)
            .groupby("month")["observations"]
            .sum()
            .rename("observations")
            .reset_index()
        )
    else:
        timeline = pd.DataFrame({"month": [], "observations": []})
    return NetworkView(net, member_views, tie_views, timeline)
