"""Disruption what-if: remove people and measure how much of the network still hangs together.

Protocol of Cavallaro et al. 2020 ("Disrupting resilient criminal networks through data
analysis: the case of Sicilian Mafia", PLOS ONE 15(8):e0236476), after Duijn, Kashirin & Sloot
2014 (Sci. Rep. 4:4238), so curves compare with the literature:

* the graph is undirected; unweighted by default; with ``weighted=True`` degree becomes
  weighted degree, PageRank is weighted and betweenness takes the weight as a *distance*
  (as `networkx.betweenness_centrality(G, weight="weight")` does);
* after each removal step the largest connected component (LCC) is measured and reported
  relative to the initial LCC: ``ρ_k = |LCC_k| / |LCC_0|``, with the number of components;
* **sequential** mode re-ranks the remaining people after every single removal; **block**
  mode removes the top ``n`` of the current ranking, then re-ranks (``steps`` = total removed);
* strategies: degree, betweenness, PageRank, organiser score, collective influence (Morone &
  Makse 2015, Nature 524:65; radius 2), or a given ordered set of people;
* ties in a ranking are broken by uid, so the same graph gives the same curve.

People known as victims are never chosen by a ranked strategy and are refused in a given set;
they stay in the graph, and ``victims_connected`` counts those still in a component with one of
the organisers (the top key actor of each network, or people recorded as organiser).

A person is all their records: when entity resolution has joined several records into one
person (SAME_AS), removing the person removes every one of their records, as an arrest would;
``removed`` counts people, ``removed_uids`` lists every record taken out.

A greedy search (`greedy_best_set`) picks, one person at a time, the removal that leaves the
smallest LCC (then the most components) — a baseline for "which k people fragment it most".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel
from scipy.sparse.csgraph import connected_components

from analytics.backend import GraphBackend, ProjectedGraph
from analytics.centrality import betweenness, collective_influence, degrees
from analytics.projection import AnalyticsError, once_per_person

STRATEGIES = (
    "degree",
    "betweenness",
    "pagerank",
    "organiser",
    "collective-influence",
    "set",
    "greedy",
)
MODES = ("sequential", "block")
GREEDY_MAX_CANDIDATES = 200


class CurvePoint(BaseModel):
    removed: int
    lcc: int
    lcc_fraction: float
    components: int
    victims_connected: int
    removed_uids: list[str]


class DisruptionResult(BaseModel):
    run_id: str = ""
    strategy: str
    mode: str
    block_size: int
    weighted: bool
    network: str | None = None
    people: int
    initial_lcc: int
    betweenness_sample: int | None = None
    backend: str
    curve: list[CurvePoint]

    def to_json(self) -> dict[str, object]:
        """The stable `netzicht disrupt --json` document (README: "disrupt --json")."""
        return self.model_dump()


def _components(g: ProjectedGraph, alive: np.ndarray) -> tuple[int, int, np.ndarray]:
    """(LCC size, number of components, component label) over the alive nodes."""
    keep = alive[g.src] & alive[g.dst]
    adj = sp.csr_matrix((np.ones(int(keep.sum())), (g.src[keep], g.dst[keep])), shape=(g.n, g.n))
    _, labels = connected_components(adj, directed=False)
    labels = np.where(alive, labels, -1)
    alive_labels = labels[alive]
    if len(alive_labels) == 0:
        return 0, 0, labels
    counts = np.bincount(alive_labels)
    counts = counts[counts > 0]
    return int(counts.max()), len(counts), labels


def _victims_connected(
    labels: np.ndarray, victim: np.ndarray, organiser: np.ndarray, alive: np.ndarray
) -> int:
    org_components = np.unique(labels[organiser & alive])
    org_components = org_components[org_components >= 0]
    return int((victim & alive & np.isin(labels, org_components)).sum())


Ranker = Callable[[ProjectedGraph, np.ndarray], np.ndarray]


def make_ranker(
    strategy: str,
    backend: GraphBackend,
    weighted: bool,
    seed: int,
    organiser: Callable[[ProjectedGraph, np.ndarray, np.ndarray], np.ndarray] | None = None,
    samples: list[int | None] | None = None,
) -> Ranker:
    """A function (subgraph of the remaining people, their old ids) → score per remaining person."""

    def rank(sub: ProjectedGraph, old: np.ndarray) -> np.ndarray:
        if strategy == "degree":
            deg, strength = degrees(sub)
            return strength if weighted else deg.astype(float)
        if strategy == "betweenness":
            result = betweenness(sub, backend, weighted=weighted, seed=seed)
            if samples is not None:
                samples.append(result.sample)
            return result.values
        if strategy == "pagerank":
            undirected = ProjectedGraph(sub.n, sub.src, sub.dst, sub.weight if weighted else None)
            return backend.pagerank(undirected)
        if strategy == "collective-influence":
            return collective_influence(sub).astype(float)
        if strategy == "organiser":
            if organiser is None:
                raise AnalyticsError("the organiser strategy needs an analysis run")
            deg, strength = degrees(sub)
            return organiser(sub, old, strength if weighted else deg.astype(float))
        raise AnalyticsError(f"unknown strategy {strategy!r} (one of {', '.join(STRATEGIES)})")

    return rank


def simulate(
    g: ProjectedGraph,
    uids: np.ndarray,
    victim: np.ndarray,
    organiser_mask: np.ndarray,
    *,
    strategy: str,
    mode: str = "sequential",
    block_size: int = 1,
    steps: int = 10,
    weighted: bool = False,
    seed: int = 7,
    backend: GraphBackend,
    people: Sequence[str] | None = None,
    organiser: Callable[[ProjectedGraph, np.ndarray, np.ndarray], np.ndarray] | None = None,
    person: np.ndarray | None = None,
) -> DisruptionResult:
    """Remove up to `steps` people by `strategy` and `mode`; the curve starts at removed = 0.

    `person` labels the records of one person alike (default: every record its own person).
    """
    if mode not in MODES:
        raise AnalyticsError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    if strategy not in STRATEGIES:
        raise AnalyticsError(f"unknown strategy {strategy!r} (one of {', '.join(STRATEGIES)})")
    if block_size < 1 or steps < 0:
        raise AnalyticsError("--block-size must be at least 1 and --steps at least 0")
    if weighted and g.weight is None:
        raise AnalyticsError("weighted disruption needs tie weights")
    if not weighted:
        g = ProjectedGraph(g.n, g.src, g.dst, None)
    block = 1 if mode == "sequential" else block_size
    person = np.arange(g.n) if person is None else np.asarray(person)
    index = {str(u): i for i, u in enumerate(uids)}
    eligible = ~victim
    order: list[int] | None = None
    if strategy == "set":
        order = _checked_set(people, index, victim)
        named = len(np.unique(person[order]))
        steps = min(steps, named) if steps else named
    elif strategy == "greedy":
        order = greedy_best_set(
            g, uids, eligible, min(steps, len(np.unique(person[eligible]))), person=person
        )
    alive = np.ones(g.n, dtype=bool)
    lcc0, comps, labels = _components(g, alive)
    curve = [
        CurvePoint(
            removed=0,
            lcc=lcc0,
            lcc_fraction=1.0 if lcc0 else 0.0,
            components=comps,
            victims_connected=_victims_connected(labels, victim, organiser_mask, alive),
            removed_uids=[],
        )
    ]
    samples: list[int | None] = []
    ranker = make_ranker(strategy, backend, weighted, seed, organiser, samples)
    removed = taken = 0
    while removed < steps:
        want = min(block, steps - removed)
        if order is not None:
            picks: list[int] = []
            while taken < len(order) and len(picks) < want:
                if alive[order[taken]] and person[order[taken]] not in person[picks]:
                    picks.append(order[taken])
                taken += 1
            chosen = np.array(picks, dtype=np.int64)
        else:
            sub, old = g.subgraph(alive)
            scores = ranker(sub, old)
            candidates = eligible[old]
            idx = np.flatnonzero(candidates)
            ranked = old[idx[np.lexsort((uids[old[idx]].astype(str), -np.round(scores[idx], 12)))]]
            chosen = once_per_person(ranked, person)[:want]
        if len(chosen) == 0:
            break
        gone = np.flatnonzero(alive & np.isin(person, person[chosen]))
        alive[gone] = False
        removed += len(chosen)
        lcc, comps, labels = _components(g, alive)
        curve.append(
            CurvePoint(
                removed=removed,
                lcc=lcc,
                lcc_fraction=round(lcc / lcc0, 6) if lcc0 else 0.0,
                components=comps,
                victims_connected=_victims_connected(labels, victim, organiser_mask, alive),
                removed_uids=[str(uids[i]) for i in gone],
            )
        )
    sample = next((s for s in samples if s is not None), None)
    return DisruptionResult(
        strategy=strategy,
        mode=mode,
        block_size=block,
        weighted=weighted,
        people=g.n,
        initial_lcc=lcc0,
        betweenness_sample=sample,
        backend=backend.name,
        curve=curve,
    )


def _checked_set(
    people: Sequence[str] | None, index: dict[str, int], victim: np.ndarray
) -> list[int]:
    if not people:
        raise AnalyticsError("--strategy set needs --people UID,UID,...")
    out: list[int] = []
    for uid in people:
        if uid not in index:
            raise AnalyticsError(f"--people: {uid!r} is not in the selected graph")
        if victim[index[uid]]:
            raise AnalyticsError(
                f"--people: {uid!r} is known as a victim; victims are never disruption targets"
            )
        if index[uid] not in out:
            out.append(index[uid])
    return out


def greedy_best_set(
    g: ProjectedGraph,
    uids: np.ndarray,
    eligible: np.ndarray,
    k: int,
    max_candidates: int = GREEDY_MAX_CANDIDATES,
    person: np.ndarray | None = None,
) -> list[int]:
    """Greedily choose k people whose removal leaves the smallest LCC (then most components).

    Candidates are all eligible people, or the `max_candidates` of highest degree on large
    graphs; ties are broken by uid. Removing a record removes all records of its `person`.
    """
    person = np.arange(g.n) if person is None else np.asarray(person)
    alive = np.ones(g.n, dtype=bool)
    deg, _ = degrees(g)
    pool = np.flatnonzero(eligible)
    if len(pool) > max_candidates:
        pool = pool[np.lexsort((uids[pool].astype(str), -deg[pool]))][:max_candidates]
    chosen: list[int] = []
    for _ in range(k):
        best: tuple[int, int, str] | None = None
        best_i = -1
        for i in pool:
            if not alive[i]:
                continue
            records = np.flatnonzero(alive & (person == person[i]))
            alive[records] = False
            lcc, comps, _ = _components(g, alive)
            alive[records] = True
            key = (lcc, -comps, str(uids[i]))
            if best is None or key < best:
                best, best_i = key, int(i)
        if best_i < 0:
            break
        alive[person == person[best_i]] = False
        chosen.append(best_i)
    return chosen
