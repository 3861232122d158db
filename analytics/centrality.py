"""Key-actor measures: degree, strength, PageRank, betweenness, brokerage, collective influence.

* degree ``k_i`` = number of distinct neighbours; weighted degree (strength) ``s_i = Σ_j w_ij``
  (Barrat et al. 2004, PNAS 101:3747).
* PageRank (Brin & Page 1998), damping 0.85, weighted; on the directed view when a relationship
  type is directed (money flows from payer to payee).
* betweenness ``b_v = Σ_{s<t} σ_st(v)/σ_st`` (Freeman 1977; Brandes 2001, J. Math. Sociol.
  25:163), undirected, unnormalised — the same numbers as ``networkx.betweenness_centrality(G,
  normalized=False)``; with ``weighted=True`` the weight is a *distance*, as in networkx.
  Exact when the work ``Σ_c n_c·m_c`` over components is within `EXACT_BUDGET`; otherwise
  estimated from `sample` uniformly drawn sources (seeded) and scaled by ``n/sample``
  (Brandes & Pich 2007, Int. J. Bifurcation and Chaos 17:2303). The sample size is reported.
* brokerage between sub-groups (Gould & Fernandez 1989, Sociol. Methodol. 19:89; Burt 1992):
  the number of *other* sub-groups a person has ties to, and the number of sub-groups for which
  the person is the *only* member of their own sub-group tied to it ("sole bridge").
* collective influence at radius ℓ (Morone & Makse 2015, Nature 524:65):
  ``CI_ℓ(i) = (k_i − 1) Σ_{j ∈ ∂Ball(i, ℓ)} (k_j − 1)``.

Example::

    >>> import networkx as nx
    >>> from analytics.backend import IgraphBackend, ProjectedGraph
    >>> kite = nx.krackhardt_kite_graph()
    >>> e = np.array(kite.edges())
    >>> g = ProjectedGraph(10, e[:, 0], e[:, 1])
    >>> float(betweenness(g, IgraphBackend()).values[7])
    14.0
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from analytics.backend import GraphBackend, ProjectedGraph

EXACT_BUDGET = 60_000_000
DEFAULT_SAMPLE = 256


class Betweenness(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    values: np.ndarray
    exact: bool
    sample: int | None  # number of sources when estimated


def degrees(g: ProjectedGraph) -> tuple[np.ndarray, np.ndarray]:
    """(distinct-neighbour degree, weighted degree) of every node of an undirected graph."""
    deg = np.bincount(g.src, minlength=g.n) + np.bincount(g.dst, minlength=g.n)
    w = np.ones(g.m) if g.weight is None else g.weight
    strength = np.bincount(g.src, weights=w, minlength=g.n) + np.bincount(
        g.dst, weights=w, minlength=g.n
    )
    return deg.astype(np.int64), strength


def betweenness_work(g: ProjectedGraph, components: np.ndarray) -> int:
    """Σ_c n_c · m_c: what exact Brandes costs on this graph (a BFS per node, in its component)."""
    if g.n == 0:
        return 0
    n_c = np.bincount(components)
    m_c = np.bincount(components[g.src], minlength=len(n_c))
    return int((n_c * (m_c + 1)).sum())


def betweenness(
    g: ProjectedGraph,
    backend: GraphBackend,
    weighted: bool = False,
    components: np.ndarray | None = None,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 7,
    exact_budget: int = EXACT_BUDGET,
) -> Betweenness:
    """Exact betweenness on small graphs, a seeded source sample on large ones (see module doc)."""
    if components is None:
        components = backend.wcc(g)
    if g.n <= sample or betweenness_work(g, components) <= exact_budget:
        return Betweenness(
            values=backend.betweenness(g, weighted=weighted), exact=True, sample=None
        )
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(g.n, size=sample, replace=False))
    values = backend.betweenness(g, weighted=weighted, sources=sources.tolist())
    return Betweenness(values=values * (g.n / sample), exact=False, sample=sample)


def brokerage(g: ProjectedGraph, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(other sub-groups tied to, sub-groups for which the node is the sole bridge) per node.

    Only ties between two labelled groups (label ≥ 0) count.
    """
    gs, gd = groups[g.src], groups[g.dst]
    cross = (gs != gd) & (gs >= 0) & (gd >= 0)
    # both directions: (node, its group, the other group)
    node = np.concatenate([g.src[cross], g.dst[cross]])
    own = np.concatenate([gs[cross], gd[cross]])
    other = np.concatenate([gd[cross], gs[cross]])
    tied = np.zeros(g.n, dtype=np.int64)
    sole = np.zeros(g.n, dtype=np.int64)
    if len(node) == 0:
        return tied, sole
    width = int(groups.max()) + 1
    pairs = np.unique(node * width + other)
    np.add.at(tied, pairs // width, 1)
    # for each (own group, other group): how many distinct nodes of the own group reach it
    trip = np.unique((own * width + other) * g.n + node)
    group_pair, member = trip // g.n, trip % g.n
    keys, counts = np.unique(group_pair, return_counts=True)
    single = np.isin(group_pair, keys[counts == 1])
    np.add.at(sole, member[single], 1)
    return tied, sole


def collective_influence(g: ProjectedGraph, radius: int = 2) -> np.ndarray:
    """CI_ℓ for every node of an undirected graph (Morone & Makse 2015)."""
    import igraph as ig

    if g.n == 0:
        return np.zeros(0)
    graph = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).astype(np.int64))
    graph.simplify()
    deg = np.asarray(graph.degree(), dtype=np.int64)
    frontier = graph.neighborhood(order=radius, mindist=radius)
    frontier_sum = np.array(
        [int((deg[nbrs] - 1).sum()) if nbrs else 0 for nbrs in frontier], dtype=np.int64
    )
    return np.maximum(deg - 1, 0) * frontier_sum
