"""The compiled Leiden (`analytics.leiden`): what igraph's finds, on the graphs large runs use."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from analytics.backend import IgraphBackend, ProjectedGraph
from analytics.evaluate import adjusted_rand_index
from analytics.leiden import leiden_modularity
from tests.analytics.test_locality import ring_of_cliques


def planted(
    n: int, groups: int, inside: int, across: int, seed: int
) -> tuple[ProjectedGraph, np.ndarray]:
    """`groups` equal groups, `inside` random edges per group and `across` between any nodes."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, groups, n)
    members = [np.flatnonzero(group == k) for k in range(groups)]
    pairs = [rng.choice(m, size=2, replace=False) for m in members for _ in range(inside)]
    pairs += [rng.choice(n, size=2, replace=False) for _ in range(across)]
    edges = np.unique(np.sort(np.array(pairs), axis=1), axis=0)
    return ProjectedGraph(n, edges[:, 0], edges[:, 1]), group


def modularity(
    g: ProjectedGraph, membership: np.ndarray, weights: list[float] | None = None
) -> float:
    graph = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).tolist())
    return float(graph.modularity(membership.tolist(), weights=weights))


def test_finds_the_cliques_of_a_ring_of_cliques() -> None:
    g, clique = ring_of_cliques(30, 6, seed=4)
    found = leiden_modularity(g.n, g.src, g.dst, seed=1)
    assert len(set(found.tolist())) == 30
    for k in range(30):  # each clique is exactly one community
        assert len(set(found[clique == k].tolist())) == 1


def test_karate_club_reaches_igraphs_modularity_and_communities_are_connected() -> None:
    karate = nx.karate_club_graph()
    edges = np.array(karate.edges())
    g = ProjectedGraph(34, edges[:, 0], edges[:, 1])
    found = leiden_modularity(g.n, g.src, g.dst, seed=3, iterations=-1)
    # 0.4198 is the best partition of the club known (Brandes et al. 2008); Leiden finds it
    assert modularity(g, found) == pytest.approx(0.4198, abs=2e-3)
    graph = ig.Graph(n=g.n, edges=edges.tolist())
    for k in set(found.tolist()):
        assert graph.induced_subgraph(np.flatnonzero(found == k).tolist()).is_connected()


def test_on_a_planted_graph_as_good_as_igraph_and_every_community_connected() -> None:
    g, group = planted(20_000, 200, inside=400, across=8_000, seed=5)
    ours = leiden_modularity(g.n, g.src, g.dst, seed=7, iterations=2)
    graph = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).tolist())
    theirs = graph.community_leiden(objective_function="modularity", n_iterations=2).membership
    assert modularity(g, ours) >= graph.modularity(theirs) - 0.005
    assert adjusted_rand_index(group.astype(str).tolist(), ours.astype(str).tolist()) > 0.9
    for k in np.unique(ours):
        members = np.flatnonzero(ours == k)
        assert graph.induced_subgraph(members.tolist()).is_connected()


def test_same_seed_same_communities() -> None:
    g, _ = planted(5_000, 50, inside=300, across=4_000, seed=6)
    first = leiden_modularity(g.n, g.src, g.dst, seed=11)
    assert np.array_equal(first, leiden_modularity(g.n, g.src, g.dst, seed=11))


def test_weights_count_as_igraph_counts_them() -> None:
    g, clique = ring_of_cliques(6, 5, seed=8)
    # the ties of the ring between cliques 0–1, 2–3 and 4–5 weigh 100: they pull the partition
    heavy = (clique[g.src] // 2 == clique[g.dst] // 2) & (clique[g.src] != clique[g.dst])
    weight = np.where(heavy, 100.0, 1.0)
    unweighted = leiden_modularity(g.n, g.src, g.dst, seed=2)
    weighted = leiden_modularity(g.n, g.src, g.dst, weight, seed=2)
    graph = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).tolist())
    theirs = graph.community_leiden(
        objective_function="modularity", weights=weight.tolist(), n_iterations=-1
    )
    as_weighted = weight.tolist()
    assert graph.modularity(weighted.tolist(), weights=as_weighted) == pytest.approx(
        graph.modularity(theirs.membership, weights=as_weighted), abs=1e-6
    )
    assert (
        graph.modularity(weighted.tolist(), weights=as_weighted)
        > graph.modularity(unweighted.tolist(), weights=as_weighted) + 0.1
    )


def test_a_low_resolution_merges_and_a_start_partition_is_used() -> None:
    g, clique = ring_of_cliques(20, 5, seed=9)
    assert len(set(leiden_modularity(g.n, g.src, g.dst, resolution=0.05).tolist())) < 20
    # from the cliques as start partition, nothing better exists: one pass keeps them
    kept = leiden_modularity(g.n, g.src, g.dst, iterations=1, initial=clique * 7 + 3)
    for k in range(20):
        assert len(set(kept[clique == k].tolist())) == 1


def test_edge_ends_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.9"):
        leiden_modularity(10, np.array([0, 3]), np.array([4, 10]))


def test_backend_uses_it_from_the_threshold_on_and_keeps_the_seed() -> None:
    g, group = planted(3_000, 30, inside=250, across=1_500, seed=10)
    compiled = IgraphBackend(compiled_leiden_min_nodes=1_000, locality_min_nodes=1_000)
    labels = compiled.leiden(g, seed=5)
    assert np.array_equal(labels, compiled.leiden(g, seed=5))
    assert labels[0] == 0  # canonical labels, as every backend gives
    # numbered for locality or not, as close to the planted groups as igraph's Leiden gets
    theirs = IgraphBackend().leiden(g, seed=5)
    truth = group.astype(str).tolist()
    assert adjusted_rand_index(truth, labels.astype(str).tolist()) > 0.93
    assert adjusted_rand_index(truth, labels.astype(str).tolist()) >= (
        adjusted_rand_index(truth, theirs.astype(str).tolist()) - 0.01
    )
    assert modularity(g, labels) >= modularity(g, theirs) - 0.005
