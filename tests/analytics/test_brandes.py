"""Batched sampled betweenness against igraph and networkx on graphs small enough to check."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from analytics.backend import IgraphBackend, ProjectedGraph, power_pagerank
from analytics.brandes import BATCH, sampled_betweenness


def random_graph(n: int, m: int, seed: int) -> ProjectedGraph:
    """Random simple graph with a few isolated parts (several components, leaves, a path)."""
    rng = np.random.default_rng(seed)
    pairs = {tuple(sorted(p)) for p in rng.integers(0, n, size=(m, 2)).tolist() if p[0] != p[1]}
    edges = np.array(sorted(pairs))
    return ProjectedGraph(n, edges[:, 0], edges[:, 1])


def igraph_subset(g: ProjectedGraph, sources: list[int]) -> np.ndarray:
    graph = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).tolist())
    return np.asarray(graph.betweenness(directed=False, sources=sources))


@pytest.mark.parametrize("count", [1, 5, BATCH, BATCH + 7, 3 * BATCH])
def test_equals_igraph_for_any_number_of_sources(count: int) -> None:
    g = random_graph(400, 700, seed=count)
    sources = np.random.default_rng(count).choice(g.n, size=count, replace=False).tolist()
    ours = sampled_betweenness(g.n, g.src, g.dst, sources)
    assert np.allclose(ours, igraph_subset(g, sources), rtol=1e-9, atol=1e-9)


def test_all_sources_give_exact_betweenness_as_networkx() -> None:
    graph = nx.florentine_families_graph()
    names = sorted(graph.nodes())
    index = {name: i for i, name in enumerate(names)}
    edges = np.array([(index[a], index[b]) for a, b in graph.edges()])
    ours = sampled_betweenness(len(names), edges[:, 0], edges[:, 1], range(len(names)))
    expected = nx.betweenness_centrality(graph, normalized=False)
    assert ours[index["Medici"]] == pytest.approx(expected["Medici"])
    assert np.allclose(ours, [expected[name] for name in names])


def test_threads_repeat_the_single_thread_figures() -> None:
    g = random_graph(3000, 9000, seed=3)
    sources = list(range(0, 3000, 11))
    one = sampled_betweenness(g.n, g.src, g.dst, sources, workers=1)
    two = sampled_betweenness(g.n, g.src, g.dst, sources, workers=2)
    assert np.allclose(one, two, rtol=1e-12)
    assert np.array_equal(two, sampled_betweenness(g.n, g.src, g.dst, sources, workers=2))


def test_backend_routes_unweighted_samples_through_the_batched_kernel() -> None:
    g = random_graph(500, 1500, seed=5)
    sources = [3, 50, 400]
    assert np.allclose(IgraphBackend().betweenness(g, sources=sources), igraph_subset(g, sources))


def test_repeated_sources_are_refused() -> None:
    with pytest.raises(ValueError, match="distinct"):
        sampled_betweenness(3, np.array([0]), np.array([1]), [1, 1])


@pytest.mark.parametrize("directed", [False, True])
def test_power_pagerank_matches_networkx_with_weights_and_dangling_nodes(directed: bool) -> None:
    g = random_graph(300, 600, seed=9)
    g.weight = np.random.default_rng(9).uniform(0.5, 3.0, g.m)
    g.directed = directed
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(range(g.n))  # isolated nodes are dangling
    graph.add_weighted_edges_from(
        zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist(), strict=True)
    )
    expected = nx.pagerank(graph, alpha=0.85, tol=1e-12, max_iter=1000)
    ours = power_pagerank(g)
    assert ours.sum() == pytest.approx(1.0)
    assert np.allclose(ours, [expected[i] for i in range(g.n)], atol=1e-9)
