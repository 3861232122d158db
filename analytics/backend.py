"""The graph-algorithm backend: one small interface, an in-process igraph implementation.

The analytics modules never call a graph library directly; they hand a `ProjectedGraph` (nodes
0..n-1, edge arrays, weights) to a `GraphBackend`. `IgraphBackend` runs everything in process:
through igraph's C core (Csárdi & Nepusz 2006, InterJournal Complex Systems 1695), and, where
igraph is slow on large graphs, compiled code of our own (Leiden for modularity from 100,000
nodes, sampled betweenness, PageRank). A Neo4j GDS
backend can implement the same protocol over a `gds.graph.construct` projection; results carry
the backend's `name` so the two can be compared.

Conventions shared by every backend:

* `wcc` — weakly connected components, labels 0..c-1 ordered by each component's smallest node.
* `leiden` — Leiden communities (Traag, Waltman & van Eck 2019, Sci. Rep. 9:5233) maximising
  modularity with resolution γ (Reichardt & Bornholdt 2006), or CPM with node weights; seeded;
  labels canonical like `wcc`.
* `pagerank` — Brin & Page (1998) with damping 0.85, weighted, directed when the graph is.
* `betweenness` — Brandes (2001) on the undirected graph, weight as *distance* (as in
  networkx); with `sources` only paths from those sources count (Brandes & Pich 2007).
"""

from __future__ import annotations

import gc
import os
import random
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import igraph as ig
import numpy as np
from numba import njit
from scipy import sparse
from scipy.sparse.csgraph import reverse_cuthill_mckee

from analytics.brandes import adjacency, new_ids, sampled_betweenness
from analytics.leiden import leiden_modularity
from netzicht.errors import NetzichtError

MAX_PAGERANK_ITERATIONS = 1000


@dataclass
class ProjectedGraph:
    """Nodes 0..n-1 and edges (src[i], dst[i]) with optional weights; no self loops."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray | None = None
    directed: bool = False
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def m(self) -> int:
        return len(self.src)

    def subgraph(self, keep: np.ndarray) -> tuple[ProjectedGraph, np.ndarray]:
        """The graph induced by the nodes where `keep` is True, and their old ids."""
        old = np.flatnonzero(keep)
        new_id = np.full(self.n, -1, dtype=np.int64)
        new_id[old] = np.arange(len(old))
        mask = keep[self.src] & keep[self.dst]
        sub = ProjectedGraph(
            n=len(old),
            src=new_id[self.src[mask]],
            dst=new_id[self.dst[mask]],
            weight=None if self.weight is None else self.weight[mask],
            directed=self.directed,
        )
        return sub, old


class GraphBackend(Protocol):
    """What every analytics backend offers."""

    name: str

    def wcc(self, g: ProjectedGraph) -> np.ndarray: ...
    def leiden(
        self,
        g: ProjectedGraph,
        resolution: float = 1.0,
        seed: int = 7,
        node_weights: np.ndarray | None = None,
    ) -> np.ndarray: ...
    def pagerank(self, g: ProjectedGraph, damping: float = 0.85) -> np.ndarray: ...
    def betweenness(
        self, g: ProjectedGraph, weighted: bool = False, sources: Sequence[int] | None = None
    ) -> np.ndarray: ...


def canonical_labels(membership: np.ndarray) -> np.ndarray:
    """Relabel groups 0..c-1 in order of each group's smallest member (stable across runs)."""
    membership = np.asarray(membership, dtype=np.int64)
    if len(membership) == 0:
        return membership
    _, first = np.unique(membership, return_index=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty(len(first), dtype=np.int64)
    remap[order] = np.arange(len(first))
    _, inverse = np.unique(membership, return_inverse=True)
    return remap[inverse]


LEIDEN_UNTIL_STABLE = 50_000


def leiden_iterations(n: int) -> int:
    """Iterate Leiden until stable on graphs up to 50,000 nodes; two passes (igraph's default)
    beyond, where every pass costs seconds: on a 100,000-node planted graph two passes reach
    modularity 0.8917 against 0.8919 until stable, in a quarter of the time."""
    return -1 if n <= LEIDEN_UNTIL_STABLE else 2


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws from Python's `random` module; give it a private, seeded generator."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


LOCALITY_MIN_NODES = 100_000

# from this many nodes on, Leiden for modularity runs in `analytics.leiden` (compiled, 2–3× faster
# than igraph's at a million nodes, the same modularity); below, igraph's, iterated until stable,
# takes a few seconds at most, and the quality figures on the synth data were measured with it
COMPILED_LEIDEN_MIN_NODES = 100_000


def locality_order(g: ProjectedGraph, min_nodes: int = LOCALITY_MIN_NODES) -> np.ndarray | None:
    """A numbering of the nodes that keeps neighbours close in memory, or None when `g` is small.

    On a large sparse graph PageRank and betweenness wait on memory reads at random node ids;
    renumbered so that neighbours sit close together they read whole cache lines of useful
    data. The best order known is the last Leiden partition computed on `g` (communities one
    after another, which `IgraphBackend.leiden` records), else reverse Cuthill–McKee (Cuthill &
    McKee 1969), about a second on a million nodes. Below `min_nodes` everything fits in cache
    and the numbering is left alone. Kept in ``g.cache``: computed once per graph.
    """
    if g.n < min_nodes:
        return None
    if "locality" not in g.cache:
        offsets, neighbours = adjacency(g.n, g.src, g.dst)
        pattern = sparse.csr_matrix(
            (np.ones(len(neighbours), dtype=np.int8), neighbours, offsets), shape=(g.n, g.n)
        )
        g.cache["locality"] = reverse_cuthill_mckee(pattern, symmetric_mode=True).astype(np.int64)
    order: np.ndarray = g.cache["locality"]
    return order


@njit(cache=True, nogil=True)
def _in_arcs(
    n: int, heads: np.ndarray, tails: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Arcs grouped by head (a counting sort): offsets, tails, weights."""
    offsets = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(heads)):
        offsets[heads[e] + 1] += 1
    for v in range(n):
        offsets[v + 1] += offsets[v]
    fill = offsets[:-1].copy()
    sorted_tails = np.empty(len(tails), dtype=np.int32)
    sorted_w = np.empty(len(w), dtype=np.float64)
    for e in range(len(heads)):
        h = heads[e]
        sorted_tails[fill[h]] = tails[e]
        if len(w):
            sorted_w[fill[h]] = w[e]
        fill[h] += 1
    return offsets, sorted_tails, sorted_w


@njit(cache=True, nogil=True)
def _pull(
    offsets: np.ndarray,
    tails: np.ndarray,
    w: np.ndarray,
    scaled: np.ndarray,
    rank: np.ndarray,
    nxt: np.ndarray,
    damping: float,
    base: float,
    lo: int,
    hi: int,
) -> float:  # pragma: no cover - compiled
    """nxt[v] = damping·Σ_arcs w·scaled[tail] + base for v in lo..hi; returns Σ|nxt − rank|."""
    change = 0.0
    for v in range(lo, hi):
        acc = 0.0
        if len(w):
            for p in range(offsets[v], offsets[v + 1]):
                acc += w[p] * scaled[tails[p]]
        else:
            for p in range(offsets[v], offsets[v + 1]):
                acc += scaled[tails[p]]
        x = damping * acc + base
        change += abs(x - rank[v])
        nxt[v] = x
    return change


def power_pagerank(
    g: ProjectedGraph,
    damping: float = 0.85,
    tol: float = 1e-10,
    workers: int = 1,
    order: np.ndarray | None = None,
) -> np.ndarray:
    """PageRank by power iteration, until the L1 change is below `tol`.

    The same fixed point as igraph's PRPACK and networkx (a dangling node's rank is spread over
    all nodes), reached in a few seconds on a million nodes where PRPACK's direct solve took 6–30 s
    here. Undirected edges count both ways; weights are strengths. Each step is one compiled
    pass over the arcs grouped by head (rank[t]/out[t] summed into t's heads), split between
    `workers` threads by node range; `order` renumbers the graph as in
    `analytics.brandes.sampled_betweenness` (same result up to rounding).
    """
    n = g.n
    src, dst = g.src, g.dst
    new_id: np.ndarray | None = None
    if order is not None:
        new_id = new_ids(order)
        src, dst = new_id[src], new_id[dst]
    if g.directed:
        tails, heads = src, dst
        w = None if g.weight is None else g.weight.astype(float)
    else:
        tails, heads = np.concatenate([src, dst]), np.concatenate([dst, src])
        one_way = None if g.weight is None else g.weight.astype(float)
        w = None if one_way is None else np.concatenate([one_way, one_way])
    out = np.bincount(tails, weights=w, minlength=n).astype(float)
    offsets, arc_tails, arc_w = _in_arcs(
        n,
        np.asarray(heads, dtype=np.int64),
        np.asarray(tails, dtype=np.int64),
        np.zeros(0) if w is None else w,
    )
    dangling = out == 0
    inverse_out = np.divide(1.0, out, out=np.zeros(n), where=~dangling)
    bounds = np.linspace(0, n, max(1, workers) + 1).astype(np.int64)
    parts = [(int(bounds[k]), int(bounds[k + 1])) for k in range(len(bounds) - 1)]
    rank = np.full(n, 1.0 / n)
    nxt = np.empty(n)
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    try:
        for _ in range(MAX_PAGERANK_ITERATIONS):
            scaled = rank * inverse_out
            base = (damping * rank[dangling].sum() + 1.0 - damping) / n
            args = (offsets, arc_tails, arc_w, scaled, rank, nxt, damping, base)
            if pool is None:
                change = _pull(*args, 0, n)
            else:
                # partial sums added in range order: a given `workers` repeats exactly
                futures = [pool.submit(_pull, *args, lo, hi) for lo, hi in parts]
                change = sum(f.result() for f in futures)
            rank, nxt = nxt, rank
            if change < tol:
                result = rank / rank.sum()
                return result if new_id is None else result[new_id]
    finally:
        if pool is not None:
            pool.shutdown()
    raise NetzichtError(f"pagerank did not converge in {MAX_PAGERANK_ITERATIONS} iterations")


class IgraphBackend:
    """In-process algorithms through igraph's C core.

    Leiden for modularity on graphs of `compiled_leiden_min_nodes` or more runs in
    `analytics.leiden`, on the graph numbered for locality. An unweighted betweenness from a
    sample of sources runs in `analytics.brandes` (batched sources, compiled, on `workers`
    threads); PageRank runs as a compiled power iteration on `workers` threads. Both renumber
    graphs of `locality_min_nodes` or more for locality.
    """

    name = "igraph"

    def __init__(
        self,
        workers: int | None = None,
        locality_min_nodes: int = LOCALITY_MIN_NODES,
        compiled_leiden_min_nodes: int = COMPILED_LEIDEN_MIN_NODES,
    ) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.locality_min_nodes = locality_min_nodes
        self.compiled_leiden_min_nodes = compiled_leiden_min_nodes

    def graph(self, g: ProjectedGraph, directed: bool | None = None) -> ig.Graph:
        """`g` as an igraph graph, built once. A graph of `locality_min_nodes` or more is built
        renumbered by `locality_order` (igraph node k is node ``order[k]`` of `g`, see
        `igraph_order`): Leiden, which chases neighbours' communities in random node order,
        spent 15% less time on a million nodes. Edges keep their positions, so edge weights
        line up unchanged."""
        directed = g.directed if directed is None else directed
        key = ("igraph", directed)
        if key not in g.cache:
            order = locality_order(g, self.locality_min_nodes)
            src, dst = g.src, g.dst
            if order is not None:
                new_id = new_ids(order)
                src, dst = new_id[src], new_id[dst]
            edges = np.column_stack([src, dst]).astype(np.int64)
            # igraph's C core allocates Python objects while it indexes the edges, enough to
            # set off full garbage collections: half of a 5M-edge build went to them
            collecting = gc.isenabled()
            gc.disable()
            try:
                graph = ig.Graph(n=g.n, edges=edges, directed=directed)
            finally:
                if collecting:
                    gc.enable()
            g.cache[key] = graph
            g.cache[("igraph order", directed)] = order
        return g.cache[key]

    def igraph_order(self, g: ProjectedGraph, directed: bool | None = None) -> np.ndarray | None:
        """The numbering of `graph(g, directed)`: None, or `order` with igraph node k = order[k]."""
        directed = g.directed if directed is None else directed
        self.graph(g, directed)
        order: np.ndarray | None = g.cache[("igraph order", directed)]
        return order

    def _to_igraph(self, g: ProjectedGraph, per_node: np.ndarray) -> np.ndarray:
        """A per-node array of `g` in the undirected igraph graph's numbering."""
        order = self.igraph_order(g, directed=False)
        return per_node if order is None else per_node[order]

    def _from_igraph(self, g: ProjectedGraph, per_node: Sequence[Any]) -> np.ndarray:
        """A per-node result of the undirected igraph graph in `g`'s numbering."""
        values = np.asarray(per_node)
        order = self.igraph_order(g, directed=False)
        if order is None:
            return values
        out = np.empty_like(values)
        out[order] = values
        return out

    def modularity(
        self, g: ProjectedGraph, membership: np.ndarray, resolution: float = 1.0
    ) -> float:
        """Newman–Girvan modularity (with resolution γ) of a partition of `g`'s nodes."""
        graph = self.graph(g, directed=False)
        return float(
            graph.modularity(
                self._to_igraph(g, np.asarray(membership)).tolist(),
                weights=self._weights(g),
                resolution=resolution,
            )
        )

    def _weights(self, g: ProjectedGraph) -> list[float] | None:
        return None if g.weight is None else g.weight.astype(float).tolist()

    def wcc(self, g: ProjectedGraph) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0, dtype=np.int64)
        membership = self.graph(g, directed=False).connected_components(mode="weak").membership
        return canonical_labels(self._from_igraph(g, membership))

    def leiden(
        self,
        g: ProjectedGraph,
        resolution: float = 1.0,
        seed: int = 7,
        node_weights: np.ndarray | None = None,
    ) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0, dtype=np.int64)
        if node_weights is None and g.n >= self.compiled_leiden_min_nodes:
            found = self._compiled_leiden(g, resolution, seed)
        else:
            found = self._from_igraph(g, self._igraph_leiden(g, resolution, seed, node_weights))
        membership = canonical_labels(found)
        if g.n >= self.locality_min_nodes:
            # communities one after another: the best numbering for PageRank and betweenness
            g.cache["locality"] = np.argsort(membership, kind="stable")
        return membership

    def _igraph_leiden(
        self,
        g: ProjectedGraph,
        resolution: float,
        seed: int,
        node_weights: np.ndarray | None,
    ) -> list[int]:
        """igraph's Leiden: modularity, or CPM with `node_weights`; igraph's numbering."""
        graph = self.graph(g, directed=False)
        with seeded_igraph(seed):
            if node_weights is None:
                clustering = graph.community_leiden(
                    objective_function="modularity",
                    weights=self._weights(g),
                    resolution=resolution,
                    n_iterations=leiden_iterations(g.n),
                )
            else:
                clustering = graph.community_leiden(
                    objective_function="CPM",
                    weights=self._weights(g),
                    node_weights=self._to_igraph(g, np.asarray(node_weights, dtype=float)).tolist(),
                    resolution=resolution,
                    n_iterations=leiden_iterations(g.n),
                )
        membership: list[int] = clustering.membership
        return membership

    def _compiled_leiden(self, g: ProjectedGraph, resolution: float, seed: int) -> np.ndarray:
        """`analytics.leiden` on `g` numbered for locality (see `locality_order`). The numbering
        is fixed at the first call: the result depends on it, and Leiden itself replaces the
        locality order, so a second call on the same graph would otherwise differ."""
        if "leiden order" not in g.cache:
            g.cache["leiden order"] = locality_order(g, self.locality_min_nodes)
        order: np.ndarray | None = g.cache["leiden order"]
        src, dst = g.src, g.dst
        new_id: np.ndarray | None = None
        if order is not None:
            new_id = new_ids(order)
            src, dst = new_id[src], new_id[dst]
        membership = leiden_modularity(
            g.n, src, dst, g.weight, resolution, seed, leiden_iterations(g.n)
        )
        return membership if new_id is None else membership[new_id]

    def pagerank(self, g: ProjectedGraph, damping: float = 0.85) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0)
        order = locality_order(g, self.locality_min_nodes)
        return power_pagerank(g, damping=damping, workers=self.workers, order=order)

    def betweenness(
        self, g: ProjectedGraph, weighted: bool = False, sources: Sequence[int] | None = None
    ) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0)
        if not weighted and sources is not None:
            order = locality_order(g, self.locality_min_nodes)
            return sampled_betweenness(
                g.n, g.src, g.dst, sources, workers=self.workers, order=order
            )
        graph = self.graph(g, directed=False)
        weights = self._weights(g) if weighted else None
        if weights is not None and min(weights, default=1.0) <= 0:
            raise NetzichtError("betweenness: weights are distances and must be positive")
        if sources is None:
            return self._from_igraph(g, graph.betweenness(directed=False, weights=weights))
        order = self.igraph_order(g, directed=False)
        chosen = np.asarray(sources, dtype=np.int64)
        if order is not None:
            chosen = new_ids(order)[chosen]
        values = graph.betweenness(directed=False, weights=weights, sources=chosen.tolist())
        return self._from_igraph(g, values)


BACKENDS: dict[str, type[IgraphBackend]] = {"igraph": IgraphBackend}


def get_backend(
    name: str = "auto", store: object | None = None, interactive: bool = False
) -> GraphBackend:
    """`gds`: the algorithms run in the database (a Neo4j store whose server has GDS; a clear
    error otherwise). `igraph`: in process, on data streamed out of the store. `auto`: GDS when
    the store is Neo4j and its server answers `gds.version()`, else in process.

    `interactive` work (the what-if, which re-ranks a network after every removal) stays in
    process under `auto`: each step would be a projection round trip to the server that costs
    more than the step itself.
    """
    if name in ("auto", "gds"):
        from graph_model.store.neo4j import Neo4jStore

        if isinstance(store, Neo4jStore) and not (name == "auto" and interactive):
            from analytics.gds_backend import GdsBackend, GdsError

            try:
                return GdsBackend.from_store(store)
            except GdsError as exc:
                if name == "gds":
                    raise NetzichtError(f"analytics backend 'gds': {exc}") from exc
        elif name == "gds":
            raise NetzichtError("analytics backend 'gds' needs a Neo4j store with GDS")
    chosen = "igraph" if name == "auto" else name
    if chosen not in BACKENDS:
        raise NetzichtError(
            f"unknown analytics backend {name!r} (known: auto, {', '.join(BACKENDS)})"
        )
    return BACKENDS[chosen]()
