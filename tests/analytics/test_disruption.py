"""The disruption protocol checked by hand on a small graph, sequential and block.

    h — a — b        triangle a, b, c with a pendant h on a,
         \\ /
          c — d — e   a path c — d — e,
              / \\
             f — g    and a triangle e, f, g.

Degrees: a 3, b 2, c 3, d 2, e 3, f 2, g 2, h 1. Betweenness (unnormalised): c 12, d 12,
e 10, a 6, others 0. Ties are broken by uid (a < b < ... < h).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from analytics.backend import IgraphBackend, ProjectedGraph
from analytics.disruption import greedy_best_set, simulate
from analytics.projection import AnalyticsError

NAMES = list("abcdefgh")
EDGES = [
    ("a", "b"),
    ("a", "c"),
    ("b", "c"),
    ("a", "h"),
    ("c", "d"),
    ("d", "e"),
    ("e", "f"),
    ("e", "g"),
    ("f", "g"),
]


def graph(weights: list[float] | None = None) -> tuple[ProjectedGraph, np.ndarray]:
    idx = {n: i for i, n in enumerate(NAMES)}
    e = np.array([(idx[a], idx[b]) for a, b in EDGES])
    w = None if weights is None else np.array(weights, dtype=float)
    return ProjectedGraph(8, e[:, 0], e[:, 1], w), np.array([f"Person:t:{n}" for n in NAMES])


def run(strategy: str, mode: str = "sequential", **kw: object) -> list[tuple[int, int, float, int]]:
    g, uids = graph(kw.pop("weights", None))  # type: ignore[arg-type]
    victim = kw.pop("victim", np.zeros(8, dtype=bool))
    organiser = kw.pop("organiser", np.zeros(8, dtype=bool))
    result = simulate(
        g,
        uids,
        victim,
        organiser,
        strategy=strategy,
        mode=mode,
        backend=IgraphBackend(),
        **kw,  # type: ignore[arg-type]
    )
    assert result.initial_lcc == 8 and result.curve[0].removed == 0
    return [(p.removed, p.lcc, p.lcc_fraction, p.components) for p in result.curve]


def removed(strategy: str, mode: str = "sequential", **kw: object) -> list[list[str]]:
    g, uids = graph()
    result = simulate(
        g,
        uids,
        np.zeros(8, dtype=bool),
        np.zeros(8, dtype=bool),
        strategy=strategy,
        mode=mode,
        backend=IgraphBackend(),
        **kw,  # type: ignore[arg-type]
    )
    return [[u.rsplit(":", 1)[1] for u in p.removed_uids] for p in result.curve]


def test_sequential_degree_reranks_after_every_removal() -> None:
    # remove a (3, first by uid) → {b,c,d,e,f,g} + {h}; then e (now the only 3) →
    # {b,c,d}, {f,g}, {h}; then c (2, first by uid) → {f,g} largest
    assert run("degree", steps=3) == [
        (0, 8, 1.0, 1),
        (1, 6, 0.75, 2),
        (2, 3, 0.375, 3),
        (3, 2, 0.25, 4),
    ]
    assert removed("degree", steps=3) == [[], ["a"], ["e"], ["c"]]


def test_block_degree_ranks_once_per_block() -> None:
    # first ranking: a, c, e all 3 → block {a, c}; left d-e-f-g, b, h → LCC 4
    # re-rank: e 3, f 2, g 2 → block {e, f}; everyone isolated
    assert run("degree", mode="block", block_size=2, steps=4) == [
        (0, 8, 1.0, 1),
        (2, 4, 0.5, 3),
        (4, 1, 0.125, 4),
    ]
    assert removed("degree", mode="block", block_size=2, steps=4) == [[], ["a", "c"], ["e", "f"]]


def test_block_mode_with_a_remainder_removes_exactly_steps_people() -> None:
    curve = run("degree", mode="block", block_size=2, steps=3)
    assert [p[0] for p in curve] == [0, 2, 3]


def test_sequential_betweenness_removes_the_bridge_first() -> None:
    # c and d tie at 12 → c first: {a, b, h} and {d, e, f, g} → LCC 4
    curve = run("betweenness", steps=2)
    assert curve[1] == (1, 4, 0.5, 2)
    assert removed("betweenness", steps=2)[1] == ["c"]


def test_weighted_betweenness_uses_weight_as_distance() -> None:
    # make the a-c tie very long: paths from h and a now go through b
    weights = [1, 10, 1, 1, 1, 1, 1, 1, 1]
    g, _ = graph(weights)
    gx = nx.Graph()
    for (a, b), w in zip(EDGES, weights, strict=True):
        gx.add_edge(a, b, weight=w)
    expected = nx.betweenness_centrality(gx, weight="weight", normalized=False)
    from analytics.centrality import betweenness

    ours = betweenness(g, IgraphBackend(), weighted=True).values
    assert {n: float(v) for n, v in zip(NAMES, ours, strict=True)} == pytest.approx(expected)
    assert expected["b"] > 0  # the long tie diverts paths through b


def test_victims_are_never_removed_and_victims_connected_follows_the_organiser() -> None:
    victim = np.zeros(8, dtype=bool)
    victim[NAMES.index("a")] = True  # the most central by degree is a victim
    organiser = np.zeros(8, dtype=bool)
    organiser[NAMES.index("e")] = True
    g, uids = graph()
    result = simulate(
        g, uids, victim, organiser, strategy="degree", steps=2, backend=IgraphBackend()
    )
    gone = [u for p in result.curve for u in p.removed_uids]
    assert "Person:t:a" not in gone
    assert gone[0] == "Person:t:c"  # c (3) before e (3) by uid, a skipped
    assert result.curve[0].victims_connected == 1
    assert result.curve[-1].victims_connected == 0  # e removed: the victim is cut off


def test_a_set_with_a_victim_is_refused() -> None:
    victim = np.zeros(8, dtype=bool)
    victim[NAMES.index("h")] = True
    g, uids = graph()
    with pytest.raises(AnalyticsError, match="victim"):
        simulate(
            g,
            uids,
            victim,
            victim,
            strategy="set",
            people=["Person:t:d", "Person:t:h"],
            backend=IgraphBackend(),
        )
    result = simulate(
        g,
        uids,
        victim,
        victim,
        strategy="set",
        people=["Person:t:d", "Person:t:a"],
        backend=IgraphBackend(),
    )
    assert [(p.removed, p.lcc) for p in result.curve] == [(0, 8), (1, 4), (2, 3)]


def test_greedy_best_set_cuts_the_graph_hardest() -> None:
    g, uids = graph()
    chosen = greedy_best_set(g, uids, np.ones(8, dtype=bool), 2)
    # c or d alone leaves 4 (c first by uid); then e splits {d, e, f, g}: LCC {a, b, h} = 3,
    # the best any pair can do here
    assert [NAMES[i] for i in chosen] == ["c", "e"]
    assert run("greedy", steps=2)[-1][1] == 3


def test_unknown_strategy_and_mode_are_clear_errors() -> None:
    g, uids = graph()
    none = np.zeros(8, dtype=bool)
    with pytest.raises(AnalyticsError, match="strategy"):
        simulate(g, uids, none, none, strategy="random", backend=IgraphBackend())
    with pytest.raises(AnalyticsError, match="mode"):
        simulate(g, uids, none, none, strategy="degree", mode="burst", backend=IgraphBackend())


def test_removing_a_resolved_person_removes_all_their_records() -> None:
    """Two stars whose hubs are one person's two records (joined by SAME_AS): arresting the
    person takes both hubs, and the curve counts one person removed."""
    hub_a, hub_b = 0, 4
    edges = [(hub_a, i) for i in (1, 2, 3)] + [(hub_b, i) for i in (5, 6, 7)] + [(hub_a, hub_b)]
    e = np.array(edges)
    g = ProjectedGraph(8, e[:, 0], e[:, 1], None)
    uids = np.array([f"Person:t:{i}" for i in range(8)])
    none = np.zeros(8, dtype=bool)
    person = np.array([0, 1, 2, 3, 0, 5, 6, 7])  # records 0 and 4 are one person

    def curve(strategy: str, **kw: object) -> list[tuple[int, int, list[str]]]:
        result = simulate(
            g,
            uids,
            none,
            none,
            strategy=strategy,
            steps=1,
            backend=IgraphBackend(),
            **kw,  # type: ignore[arg-type]
        )
        return [(p.removed, p.lcc, p.removed_uids) for p in result.curve]

    both = ["Person:t:0", "Person:t:4"]
    assert curve("degree", person=person) == [(0, 8, []), (1, 1, both)]
    assert curve("degree") == [(0, 8, []), (1, 4, ["Person:t:0"])]  # records taken as people
    assert curve("set", people=["Person:t:4"], person=person) == [(0, 8, []), (1, 1, both)]
    assert curve("greedy", person=person)[-1] == (1, 1, both)
    assert greedy_best_set(g, uids, ~none, 1, person=person) == [0]
