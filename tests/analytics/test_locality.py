"""Renumbering for locality changes the memory layout only: every result maps back unchanged."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from analytics.backend import IgraphBackend, ProjectedGraph, locality_order, power_pagerank
from analytics.brandes import sampled_betweenness


def ring_of_cliques(cliques: int, size: int, seed: int) -> tuple[ProjectedGraph, np.ndarray]:
    """Cliques joined in a ring by one edge each, node ids shuffled; and each node's clique."""
    graph = nx.ring_of_cliques(cliques, size)
    perm = np.random.default_rng(seed).permutation(cliques * size)
    edges = np.array([(perm[a], perm[b]) for a, b in graph.edges()])
    clique = np.empty(cliques * size, dtype=np.int64)
    clique[perm] = np.arange(cliques * size) // size
    return ProjectedGraph(cliques * size, edges[:, 0], edges[:, 1]), clique


def test_sampled_betweenness_under_any_numbering_equals_igraph() -> None:
    g, _ = ring_of_cliques(12, 6, seed=1)
    rng = np.random.default_rng(2)
    extra = rng.integers(0, g.n, size=(40, 2))
    extra = extra[extra[:, 0] != extra[:, 1]]
    pairs = {tuple(sorted(p)) for p in np.vstack([np.column_stack([g.src, g.dst]), extra]).tolist()}
    edges = np.array(sorted(pairs))
    sources = rng.choice(g.n, size=70, replace=False).tolist()
    expected = ig.Graph(n=g.n, edges=edges.tolist()).betweenness(directed=False, sources=sources)
    for order in (rng.permutation(g.n), np.arange(g.n)[::-1]):
        ours = sampled_betweenness(g.n, edges[:, 0], edges[:, 1], sources, order=order)
        assert np.allclose(ours, expected, rtol=1e-9, atol=1e-9)


def test_locality_order_is_a_permutation_kept_per_graph_and_skipped_when_small() -> None:
    g, _ = ring_of_cliques(10, 5, seed=3)
    assert locality_order(g, min_nodes=g.n + 1) is None
    order = locality_order(g, min_nodes=0)
    assert order is not None
    assert np.array_equal(np.sort(order), np.arange(g.n))
    assert locality_order(g, min_nodes=0) is order


def test_renumbered_backend_gives_the_same_measures() -> None:
    g, clique = ring_of_cliques(15, 8, seed=4)
    plain = IgraphBackend(workers=1, locality_min_nodes=10**9)
    renumbered = IgraphBackend(workers=2, locality_min_nodes=0)
    moved = ProjectedGraph(g.n, g.src, g.dst)  # a fresh cache
    assert renumbered.igraph_order(moved) is not None
    assert np.array_equal(renumbered.wcc(moved), plain.wcc(g))
    # Leiden finds the cliques: a membership mapped back wrongly would scatter them
    communities = renumbered.leiden(moved, seed=7)
    assert len(np.unique(communities)) == 15
    assert all(len(np.unique(communities[clique == c])) == 1 for c in range(15))
    assert renumbered.modularity(moved, communities) == pytest.approx(
        nx.community.modularity(
            nx.Graph(list(zip(g.src.tolist(), g.dst.tolist(), strict=True))),
            [set(np.flatnonzero(communities == c).tolist()) for c in range(15)],
        )
    )
    sources = [0, 9, 33, 70]
    assert np.allclose(renumbered.betweenness(moved), plain.betweenness(g))
    assert np.allclose(
        renumbered.betweenness(moved, sources=sources), plain.betweenness(g, sources=sources)
    )
    moved.weight = g.weight = np.random.default_rng(5).uniform(0.5, 2.0, g.m)
    assert np.allclose(
        renumbered.betweenness(moved, weighted=True, sources=sources),
        plain.betweenness(g, weighted=True, sources=sources),
    )
    assert np.allclose(renumbered.pagerank(moved), plain.pagerank(g), atol=1e-12)


def test_leiden_cpm_node_weights_follow_the_renumbering() -> None:
    g, clique = ring_of_cliques(6, 5, seed=6)
    weights = np.where(clique == 0, 50.0, 1.0)  # heavy nodes: CPM splits their clique apart
    plain = IgraphBackend(locality_min_nodes=10**9).leiden(
        g, resolution=0.5, seed=7, node_weights=weights
    )
    moved = ProjectedGraph(g.n, g.src, g.dst)
    ours = IgraphBackend(locality_min_nodes=0).leiden(
        moved, resolution=0.5, seed=7, node_weights=weights
    )
    assert len(np.unique(ours[clique == 0])) == len(np.unique(plain[clique == 0])) > 1
    assert all(len(np.unique(ours[clique == c])) == 1 for c in range(1, 6))


@pytest.mark.parametrize("directed", [False, True])
def test_power_pagerank_renumbered_on_threads_matches_networkx(directed: bool) -> None:
    g, _ = ring_of_cliques(9, 4, seed=8)
    g.weight = np.random.default_rng(8).uniform(0.5, 3.0, g.m)
    g.directed = directed
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(range(g.n))
    graph.add_weighted_edges_from(
        zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist(), strict=True)
    )
    expected = nx.pagerank(graph, alpha=0.85, tol=1e-12, max_iter=1000)
    order = np.random.default_rng(9).permutation(g.n)
    ours = power_pagerank(g, workers=2, order=order)
    assert np.allclose(ours, [expected[i] for i in range(g.n)], atol=1e-9)
