"""GdsBackend against IgraphBackend on classic graphs with known answers (real Neo4j + GDS).

Karate club (Zachary 1977, weighted), Florentine families (Padgett & Ansell 1993) and the
Krackhardt kite (Krackhardt 1990): components, PageRank and betweenness must match the
in-process backend exactly (to float precision); Leiden is a different implementation, so it
must be deterministic and about as good (modularity), not identical.
"""

from __future__ import annotations

from collections.abc import Iterator

import igraph as ig
import networkx as nx
import numpy as np
import pytest

from analytics.backend import IgraphBackend, ProjectedGraph
from analytics.gds_backend import GdsBackend, GdsError, sample_seed
from netzicht.errors import NetzichtError

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def gds(neo4j_uri: str) -> Iterator[GdsBackend]:
    backend = GdsBackend.connect(neo4j_uri)
    yield backend
    assert backend.gds.graph.list() == [], "a test left a graph in the GDS catalog"
    backend.gds.close()


def classic(name: str, isolated: int = 1) -> ProjectedGraph:
    """A networkx classic as a ProjectedGraph (sorted node order), plus isolated nodes."""
    graph = {
        "karate": nx.karate_club_graph,
        "florentine": nx.florentine_families_graph,
        "kite": nx.krackhardt_kite_graph,
    }[name]()
    graph = nx.convert_node_labels_to_integers(graph, ordering="sorted")
    edges = np.array(graph.edges(), dtype=np.int64)
    weight = np.array([graph[a][b].get("weight", 1.0) for a, b in edges], dtype=float)
    return ProjectedGraph(graph.number_of_nodes() + isolated, edges[:, 0], edges[:, 1], weight)


GRAPHS = ["karate", "florentine", "kite"]
IGRAPH = IgraphBackend()


@pytest.mark.parametrize("name", GRAPHS)
def test_components_match(gds: GdsBackend, name: str) -> None:
    g = classic(name, isolated=2)
    assert np.array_equal(gds.wcc(g), IGRAPH.wcc(g))
    assert gds.wcc(g).max() == 2


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("directed", [False, True])
def test_pagerank_matches_prpack(gds: GdsBackend, name: str, directed: bool) -> None:
    g = classic(name)
    g.directed = directed  # edges as listed (low id → high id): dangling nodes exist
    expected = IGRAPH.pagerank(g)
    got = gds.pagerank(g)
    assert got.sum() == pytest.approx(1.0)
    assert np.abs(got - expected).max() <= 1e-9


@pytest.mark.parametrize("name", GRAPHS)
@pytest.mark.parametrize("weighted", [False, True])
def test_betweenness_matches_exactly(gds: GdsBackend, name: str, weighted: bool) -> None:
    g = classic(name)
    assert np.allclose(
        gds.betweenness(g, weighted=weighted), IGRAPH.betweenness(g, weighted=weighted), atol=1e-9
    )


def test_kite_known_answer(gds: GdsBackend) -> None:
    values = gds.betweenness(classic("kite", isolated=0))
    assert values[7] == pytest.approx(14.0)  # Heather, the kite's broker
    assert values[8] == pytest.approx(8.0)


def test_sampled_betweenness_is_repeatable_and_on_the_unscaled_scale(gds: GdsBackend) -> None:
    g = classic("karate", isolated=0)
    sources = [0, 5, 11, 20, 33]
    once = gds.betweenness(g, sources=sources)
    # The same seeded sample again (a different sample would differ by whole units).
    assert np.allclose(once, gds.betweenness(g, sources=sources), rtol=0, atol=1e-9)
    assert sample_seed(sources) == sample_seed(list(sources)) >= 0
    exact = IGRAPH.betweenness(g)
    # GDS draws its own 5 sources: a partial sum of the exact dependencies, not a scaled one.
    assert 0 < once.sum() < exact.sum()
    # All sources asked for is the exact answer.
    assert np.allclose(gds.betweenness(g, sources=range(g.n)), exact)


def test_betweenness_refuses_non_positive_distances(gds: GdsBackend) -> None:
    g = classic("kite")
    g.weight = np.where(np.arange(g.m) == 0, 0.0, 1.0)
    with pytest.raises(NetzichtError, match="must be positive"):
        gds.betweenness(g, weighted=True)


def modularity(g: ProjectedGraph, labels: np.ndarray) -> float:
    graph = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).tolist())
    weights = None if g.weight is None else g.weight.tolist()
    return float(graph.modularity(labels.tolist(), weights=weights))


@pytest.mark.parametrize("name", GRAPHS)
def test_leiden_is_seeded_canonical_and_as_good(gds: GdsBackend, name: str) -> None:
    g = classic(name)
    labels = gds.leiden(g, seed=3)
    assert np.array_equal(labels, gds.leiden(g, seed=3))
    assert labels[0] == 0 and set(np.unique(labels)) == set(range(labels.max() + 1))
    assert labels[-1] == labels.max()  # the isolated node is a community of its own
    assert modularity(g, labels) >= modularity(g, IGRAPH.leiden(g, seed=3)) - 0.02


def test_leiden_planted_partition_is_recovered_exactly(gds: GdsBackend) -> None:
    # Four 10-cliques joined in a ring by single ties: the modularity optimum is the cliques.
    src, dst = [], []
    for c in range(4):
        base = 10 * c
        for i in range(10):
            for j in range(i + 1, 10):
                src.append(base + i)
                dst.append(base + j)
        src.append(base)
        dst.append((base + 10) % 40)
    g = ProjectedGraph(40, np.array(src), np.array(dst), np.ones(len(src)))
    assert np.array_equal(gds.leiden(g), np.repeat(np.arange(4), 10))
    assert np.array_equal(gds.leiden(g), IGRAPH.leiden(g))


def test_leiden_with_node_weights_runs_in_process(gds: GdsBackend) -> None:
    g = classic("karate")
    node_weights = np.linspace(0.1, 1.0, g.n)
    assert np.array_equal(
        gds.leiden(g, resolution=0.05, node_weights=node_weights),
        IGRAPH.leiden(g, resolution=0.05, node_weights=node_weights),
    )


def test_empty_and_edgeless_graphs(gds: GdsBackend) -> None:
    empty = ProjectedGraph(0, np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert len(gds.wcc(empty)) == len(gds.pagerank(empty)) == len(gds.leiden(empty)) == 0
    lonely = ProjectedGraph(3, np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert gds.wcc(lonely).tolist() == [0, 1, 2]
    assert gds.leiden(lonely).tolist() == [0, 1, 2]
    assert np.allclose(gds.pagerank(lonely), IGRAPH.pagerank(lonely))
    assert gds.betweenness(lonely).tolist() == [0.0, 0.0, 0.0]


def test_pinned_graph_is_loaded_once_and_dropped(gds: GdsBackend) -> None:
    g = classic("karate")
    before = gds.timings.get("load", 0.0)
    with gds.pinned(g):
        assert len(gds.gds.graph.list()) == 1
        loaded = gds.timings["load"]
        gds.wcc(g)
        gds.leiden(g)
        gds.betweenness(g)
        assert gds.timings["load"] == loaded > before
    assert gds.gds.graph.list() == []


def test_a_failed_call_still_drops_the_graph(gds: GdsBackend) -> None:
    g = classic("kite")
    with pytest.raises(GdsError), gds.loaded(g, directed=False):
        raise GdsError("boom")
    assert gds.gds.graph.list() == []


def test_results_name_the_backend(gds: GdsBackend) -> None:
    assert gds.name == "gds" and gds.server_version().startswith("2.")
