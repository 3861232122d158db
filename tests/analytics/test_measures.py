"""Known answers on classic graphs: every measure against networkx or the literature."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from analytics.backend import IgraphBackend, ProjectedGraph, canonical_labels
from analytics.centrality import betweenness, brokerage, collective_influence, degrees

BACKEND = IgraphBackend()


def projected(graph: nx.Graph, weight: str | None = None) -> tuple[ProjectedGraph, list[str]]:
    names = sorted(graph.nodes())
    index = {name: i for i, name in enumerate(names)}
    edges = np.array([(index[a], index[b]) for a, b in graph.edges()], dtype=np.int64)
    weights = (
        np.array([graph.edges[a, b][weight] for a, b in graph.edges()], dtype=float)
        if weight
        else None
    )
    return ProjectedGraph(len(names), edges[:, 0], edges[:, 1], weights), names


def by_name(values: np.ndarray, names: list[str]) -> dict[str, float]:
    return {name: float(v) for name, v in zip(names, values, strict=True)}


def test_florentine_families_betweenness_puts_the_medici_first() -> None:
    graph = nx.florentine_families_graph()
    g, names = projected(graph)
    result = betweenness(g, BACKEND)
    ours = by_name(result.values, names)
    expected = nx.betweenness_centrality(graph, normalized=False)
    assert result.exact and result.sample is None
    assert ours == pytest.approx(expected)
    assert max(ours, key=ours.get) == "Medici"  # type: ignore[arg-type]
    assert ours["Medici"] == pytest.approx(47.5)


def test_krackhardt_kite_degree_betweenness_and_pagerank() -> None:
    graph = nx.krackhardt_kite_graph()  # 0 Andre .. 3 Diane .. 7 Heather, 8 Ike, 9 Jane
    g, names = projected(graph)
    deg, strength = degrees(g)
    assert int(np.argmax(deg)) == 3 and deg[3] == 6  # Diane has the most ties
    assert list(strength) == list(deg)
    btw = betweenness(g, BACKEND).values
    assert int(np.argmax(btw)) == 7 and btw[7] == pytest.approx(14.0)  # Heather brokers
    assert btw[8] == pytest.approx(8.0) and btw[9] == 0.0
    pagerank = BACKEND.pagerank(g)
    expected = nx.pagerank(graph)
    assert by_name(pagerank, names) == pytest.approx(expected, abs=1e-5)


def test_weighted_betweenness_takes_weight_as_distance_like_networkx() -> None:
    graph = nx.karate_club_graph()  # edges carry a "weight" (interaction counts)
    g, names = projected(graph, weight="weight")
    ours = by_name(betweenness(g, BACKEND, weighted=True).values, names)
    expected = nx.betweenness_centrality(graph, weight="weight", normalized=False)
    assert ours == pytest.approx(expected)
    unweighted = nx.betweenness_centrality(graph, normalized=False)
    assert ours != pytest.approx(unweighted)


def test_sampled_betweenness_states_its_sample_and_is_seeded() -> None:
    graph = nx.karate_club_graph()
    g, _ = projected(graph)
    exact = betweenness(g, BACKEND).values
    sampled = betweenness(g, BACKEND, sample=16, seed=3, exact_budget=0)
    again = betweenness(g, BACKEND, sample=16, seed=3, exact_budget=0)
    assert not sampled.exact and sampled.sample == 16
    assert np.array_equal(sampled.values, again.values)
    # the estimate is unbiased in expectation; on karate the two hubs still come out on top
    assert set(np.argsort(-sampled.values)[:2]) == set(np.argsort(-exact)[:2]) == {0, 33}


def test_karate_club_leiden_finds_the_known_community_structure() -> None:
    graph = nx.karate_club_graph()
    g, _ = projected(graph)
    labels = BACKEND.leiden(g, resolution=1.0, seed=7)
    again = BACKEND.leiden(g, resolution=1.0, seed=7)
    assert np.array_equal(labels, again)
    communities = [{int(n) for n in np.flatnonzero(labels == k)} for k in range(labels.max() + 1)]
    # the best modularity partition of karate is 0.4198 (Brandes et al. 2008)
    assert nx.community.modularity(graph, communities, weight=None) == pytest.approx(
        0.4198, abs=0.003
    )
    assert labels[0] != labels[33]  # the instructor and the administrator split
    assert BACKEND.wcc(g).max() == 0


def test_canonical_labels_number_groups_by_first_member() -> None:
    assert canonical_labels(np.array([5, 5, 2, 9, 2])).tolist() == [0, 0, 1, 2, 1]


def test_brokerage_counts_sub_groups_and_sole_bridges() -> None:
    # two triangles (groups 0 and 1) and a pendant group 2; node 2 alone links 0 to 1,
    # node 0 alone links group 0 to group 2
    edges = np.array([(0, 1), (1, 2), (0, 2), (2, 3), (3, 4), (4, 5), (3, 5), (0, 6)])
    g = ProjectedGraph(7, edges[:, 0], edges[:, 1])
    groups = np.array([0, 0, 0, 1, 1, 1, 2])
    tied, sole = brokerage(g, groups)
    assert tied.tolist() == [1, 0, 1, 1, 0, 0, 1]
    assert sole.tolist() == [1, 0, 1, 1, 0, 0, 1]


def test_collective_influence_by_hand() -> None:
    # path 0-1-2-3-4: CI_2(2) = (k_2 - 1) * ((k_0 - 1) + (k_4 - 1)) = 1 * (0 + 0) = 0
    # CI_2(1) = (2 - 1) * (k_3 - 1) = 1; star centre has no nodes at distance 2
    edges = np.array([(0, 1), (1, 2), (2, 3), (3, 4)])
    ci = collective_influence(ProjectedGraph(5, edges[:, 0], edges[:, 1]))
    assert ci.tolist() == [0, 1, 0, 1, 0]
