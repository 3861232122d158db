"""One analysis run: project → networks → key-actor measures → organiser score → typed result.

This module only computes; `netzicht.analytics_service` reads the previous run, writes the
result back to the store and adds provenance (`source_ids`) for the listed actors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from analytics.backend import GraphBackend, ProjectedGraph
from analytics.centrality import betweenness, brokerage, degrees
from analytics.networks import (
    NetworkChange,
    NetworkProfile,
    actor_projection,
    detect_communities,
    match_networks,
    profile_networks,
    sub_groups,
)
from analytics.organiser import (
    Signals,
    centrality_component,
    compute_signals,
    exploitation_factor,
    organiser_scores,
    reasons_for,
    signal_components,
)
from analytics.projection import ActorGraph, once_per_person

KEY_ACTORS_PER_NETWORK = 5


class KeyActor(BaseModel):
    uid: str
    name: str
    score: float
    reasons: list[str]


class NetworkResult(NetworkProfile):
    key_actors: list[KeyActor] = Field(default_factory=list)


class ActorResult(BaseModel):
    uid: str
    name: str
    source_ids: list[str] = []
    network: str | None
    rank: int | None
    organiser_score: float
    degree: int
    weighted_degree: float
    pagerank: float
    betweenness: float
    brokerage: int
    victim: bool = False
    reasons: list[str]


class AnalysisResult(BaseModel):
    run_id: str = ""
    created: str = ""
    backend: str
    seed: int
    resolution: float
    since: str | None
    until: str | None
    relation_types: list[str]
    people: int
    ties: int
    betweenness_exact: bool
    betweenness_sample: int | None
    networks: list[NetworkResult]
    actors: list[ActorResult]  # ranked (non-victims), rank 1 first
    changes: list[NetworkChange]
    next_network_number: int

    def to_json(self, top: int = 100) -> dict[str, Any]:
        """The stable `netzicht analyze --json` document (README: "analyze --json")."""
        return {
            "run_id": self.run_id,
            "backend": self.backend,
            "betweenness_sample": self.betweenness_sample,
            "networks": [
                {
                    "id": n.id,
                    "size": n.size,
                    "members": n.members,
                    "key_actors": [k.model_dump() for k in n.key_actors],
                    "victims": n.victims,
                    "growth": n.growth,
                }
                for n in self.networks[:top]
            ],
            "actors": [
                {
                    "uid": a.uid,
                    "name": a.name,
                    "source_ids": a.source_ids,
                    "network": a.network,
                    "rank": a.rank,
                    "organiser_score": a.organiser_score,
                    "degree": a.degree,
                    "pagerank": a.pagerank,
                    "betweenness": a.betweenness,
                    "reasons": a.reasons,
                }
                for a in self.actors[:top]
            ],
        }


class Measures(BaseModel):
    """Every per-person array of one run (not serialised; for disruption and reports)."""

    model_config = {"arbitrary_types_allowed": True}

    network: np.ndarray
    groups: np.ndarray
    degree: np.ndarray
    strength: np.ndarray
    pagerank: np.ndarray
    betweenness: np.ndarray
    brokerage: np.ndarray
    sole_bridges: np.ndarray
    score: np.ndarray
    contributions: np.ndarray
    measure_pct: np.ndarray


def intra_network_graph(g: ProjectedGraph, network: np.ndarray) -> ProjectedGraph:
    inside = (network[g.src] == network[g.dst]) & (network[g.src] >= 0)
    w = None if g.weight is None else g.weight[inside]
    return ProjectedGraph(g.n, g.src[inside], g.dst[inside], w, directed=False)


def score_people(
    actor: ActorGraph,
    g: ProjectedGraph,
    network: np.ndarray,
    groups: np.ndarray,
    signals: Signals,
    backend: GraphBackend,
    seed: int,
) -> tuple[Measures, bool, int | None]:
    """Centrality measures and organiser scores for everyone (victims score 0)."""
    degree, strength = degrees(g)
    pagerank = backend.pagerank(actor_projection(actor, directed=True))
    intra = intra_network_graph(g, network)
    btw = betweenness(intra, backend, weighted=False, seed=seed)
    tied, sole = brokerage(g, groups)
    eligible = ~actor.victim
    cent, pct = centrality_component(pagerank, btw.values, strength, tied + sole, network, eligible)
    score, contributions = organiser_scores(
        cent, signal_components(signals), eligible, exploitation_factor(signals)
    )
    measures = Measures(
        network=network,
        groups=groups,
        degree=degree,
        strength=strength,
        pagerank=pagerank,
        betweenness=btw.values,
        brokerage=tied,
        sole_bridges=sole,
        score=score,
        contributions=contributions,
        measure_pct=pct,
    )
    return measures, btw.exact, btw.sample


def ranking(score: np.ndarray, uids: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Indices of eligible people by score descending, ties broken by uid."""
    idx = np.flatnonzero(eligible)
    order = np.lexsort((uids[idx].astype(str), -np.round(score[idx], 12)))
    return idx[order]


def analyse(
    actor: ActorGraph,
    backend: GraphBackend,
    *,
    resolution: float = 1.0,
    seed: int = 7,
    min_size: int = 3,
    previous: Mapping[str, Sequence[str]] | None = None,
    previous_sizes: Mapping[str, int] | None = None,
    next_number: int = 1,
    since: dt.date | None = None,
    until: dt.date | None = None,
    actors_kept: int | None = None,
) -> tuple[AnalysisResult, Measures]:
    """The whole analysis of one actor graph (see the module docstring)."""
    g = actor_projection(actor)
    components, network = detect_communities(g, backend, resolution, seed, min_size)
    del components
    n_networks = int(network.max()) + 1 if len(network) and network.max() >= 0 else 0
    groups = sub_groups(g, network, backend, seed) if n_networks else np.full(actor.n, -1)
    signals = compute_signals(actor, network)
    measures, exact, sample = score_people(actor, g, network, groups, signals, backend, seed)

    members = [sorted(actor.people[network == k].tolist()) for k in range(n_networks)]
    ids, changes, came_from, next_number = match_networks(members, previous or {}, next_number)
    profiles = profile_networks(actor, network, ids)
    order = ranking(measures.score, actor.people, ~actor.victim)
    rank = np.full(actor.n, -1, dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)

    def reasons(i: int) -> list[str]:
        return reasons_for(
            i,
            measures.contributions,
            signals,
            measures.measure_pct,
            measures.degree,
            measures.sole_bridges,
            measures.brokerage,
        )

    person = actor.person
    networks: list[NetworkResult] = []
    for k, profile in enumerate(profiles):
        ranked = order[(network[order] == k) & (measures.score[order] > 0)]
        in_k = once_per_person(ranked, person)[:KEY_ACTORS_PER_NETWORK]
        key = [
            KeyActor(
                uid=str(actor.people[i]),
                name=str(actor.names[i]),
                score=round(float(measures.score[i]), 6),
                reasons=reasons(int(i)),
            )
            for i in in_k
        ]
        net = NetworkResult(**profile.model_dump(), key_actors=key)
        net.came_from = came_from[k]
        if previous_sizes and profile.id in previous_sizes:
            net.previous_size = previous_sizes[profile.id]
            net.growth = profile.size - previous_sizes[profile.id]
            net.status = "continued"
        if len(came_from[k]) >= 2:
            net.status = "merged"
        elif any(c.kind == "split" and profile.id in c.after for c in changes):
            net.status = "split"
        networks.append(net)
    # Most victims first: that is where investigators start; then size, then id.
    networks.sort(key=lambda net: (-net.victims, -net.size, net.id))

    kept = order if actors_kept is None else order[:actors_kept]
    actors = [
        ActorResult(
            uid=str(actor.people[i]),
            name=str(actor.names[i]),
            network=ids[network[i]] if network[i] >= 0 else None,
            rank=int(rank[i]),
            organiser_score=round(float(measures.score[i]), 6),
            degree=int(measures.degree[i]),
            weighted_degree=round(float(measures.strength[i]), 6),
            pagerank=round(float(measures.pagerank[i]), 9),
            betweenness=round(float(measures.betweenness[i]), 6),
            brokerage=int(measures.brokerage[i]),
            reasons=reasons(int(i)),
        )
        for i in kept
    ]
    result = AnalysisResult(
        backend=backend.name,
        seed=seed,
        resolution=resolution,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        relation_types=actor.slice.types,
        people=actor.n,
        ties=actor.m,
        betweenness_exact=exact,
        betweenness_sample=sample,
        networks=networks,
        actors=actors,
        changes=changes,
        next_network_number=next_number,
    )
    return result, measures


def network_ids_per_person(result: AnalysisResult, actor: ActorGraph) -> np.ndarray:
    """Network label (index into result.networks, −1 none) per person of `actor`."""
    label = np.full(actor.n, -1, dtype=np.int64)
    for k, net in enumerate(result.networks):
        idx = [actor.index[u] for u in net.members if u in actor.index]
        label[idx] = k
    return label


Ranker = Callable[[ProjectedGraph, np.ndarray, np.ndarray], np.ndarray]


def organiser_ranker(
    actor: ActorGraph,
    network: np.ndarray,
    backend: GraphBackend,
    seed: int,
) -> Callable[[np.ndarray], Ranker]:
    """Organiser score as a disruption ranking: the role signals stay fixed, the centrality
    part is recomputed on what is left of the graph after every removal.

    Returns a factory: given `scope` (`scope[j]` = actor index of node j of the disruption
    graph) it gives the ranking function `simulate` calls.
    """
    signals = compute_signals(actor, network)
    fixed = signal_components(signals)
    factor = exploitation_factor(signals)
    groups = sub_groups(actor_projection(actor), network, backend, seed)
    return lambda scope: _organiser_rank(
        actor, network, groups, fixed, factor, scope, backend, seed
    )


def _organiser_rank(
    actor: ActorGraph,
    network: np.ndarray,
    groups: np.ndarray,
    fixed: np.ndarray,
    factor: np.ndarray,
    scope: np.ndarray,
    backend: GraphBackend,
    seed: int,
) -> Ranker:
    def rank(sub: ProjectedGraph, old: np.ndarray, strength: np.ndarray) -> np.ndarray:
        idx = scope[old]
        pagerank = backend.pagerank(ProjectedGraph(sub.n, sub.src, sub.dst, sub.weight))
        btw = betweenness(intra_network_graph(sub, network[idx]), backend, seed=seed).values
        tied, sole = brokerage(sub, groups[idx])
        eligible = ~actor.victim[idx]
        cent, _ = centrality_component(pagerank, btw, strength, tied + sole, network[idx], eligible)
        score, _ = organiser_scores(cent, fixed[idx], eligible, factor[idx])
        return score

    return rank
