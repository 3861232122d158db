"""The Neo4j Graph Data Science backend: the `GraphBackend` protocol run inside the database.

`GdsBackend` loads a `ProjectedGraph` into the GDS graph catalog with a Cypher-aggregation
projection (`gds.graph.project` as an aggregation function over ``UNWIND``), runs the algorithm
through the `graphdatascience` client and maps the streamed scores back to the node order
0..n-1. Node ids are projected as plain integers, so GDS reports them back unchanged. Every
in-memory graph has a unique name and is dropped when the call (or `pinned` block) ends, also
on error.

Why not `gds.graph.construct`: without Arrow (OpenGDS has none) the client turns node and
relationship frames into one list of eight-column rows and sends it as a single parameter;
three flat integer/float lists (``$src``, ``$dst``, ``$w``) carry the same graph in a third of
the values and the same single aggregation query.

The conventions are those of `analytics.backend` (results agree with `IgraphBackend`):

* `wcc` — ``gds.wcc``; labels canonical (0..c-1 by each component's smallest node).
* `leiden` — ``gds.leiden`` (Traag, Waltman & van Eck 2019) maximising modularity with
  ``gamma`` = resolution, weighted, on the undirected graph; seeded with ``randomSeed`` and run
  with ``concurrency=1``, which makes it deterministic. GDS Leiden has no CPM objective and no
  node weights, so a call *with* `node_weights` (the per-network sub-groups of
  `analytics.networks.sub_groups`) runs in process on `IgraphBackend`; that call is one small
  graph of intra-network ties.
* `pagerank` — ``gds.pageRank`` (Brin & Page 1998), damping 0.85, weighted, natural direction
  when the graph is directed. GDS iterates ``PR = (1-d) + d·Pᵀ·PR`` without redistributing
  the rank of dangling nodes; igraph's PRPACK redistributes it uniformly, which is the same
  uniform vector as the teleport term, so the two solutions are proportional: dividing the GDS
  scores by their sum gives PRPACK's vector (on the karate club they agree to 1e-12). Run with
  tolerance 1e-10 and up to 1000 iterations.
* `betweenness` — ``gds.betweenness`` (Brandes 2001) on the undirected graph, unnormalised,
  each unordered pair counted once (the networkx/igraph numbers); ``weighted=True`` passes the
  weight as a Dijkstra distance. With `sources`, GDS cannot take an explicit source list: it
  draws its own ``samplingSize`` sources with ``samplingSeed``. The backend passes
  ``len(sources)`` and a seed derived from the requested sources (so a call is repeatable), and
  returns, like igraph, the *unscaled* sum over the sampled sources; the caller's ``n/sample``
  scaling (`analytics.centrality.betweenness`) applies unchanged. The estimate has the same
  scale but not the same sample, so sampled values differ between backends within sampling
  error; exact values agree.

Example (needs a running server)::

    >>> backend = GdsBackend.connect("bolt://127.0.0.1:7687")  # doctest: +SKIP
    >>> with backend.pinned(g):  # doctest: +SKIP
    ...     labels, pr = backend.wcc(g), backend.pagerank(g)
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from graphdatascience import GraphDataScience

from analytics.backend import IgraphBackend, ProjectedGraph, canonical_labels
from netzicht.errors import NetzichtError

if TYPE_CHECKING:
    from graphdatascience.graph.graph_api import Graph

    from graph_model.store.neo4j import Neo4jStore

WEIGHT = "w"
PAGERANK_TOLERANCE = 1e-10
PAGERANK_MAX_ITERATIONS = 1000
LEIDEN_MAX_LEVELS = 10
LEIDEN_TOLERANCE = 1e-6

# One aggregation query: rows 0..n-1 are the nodes (so isolated nodes exist), rows n.. the
# edges. The projected ids are the integers themselves; streams report them back unchanged.
_PROJECT = """
UNWIND range(0, $n + size($src) - 1) AS i
WITH i, i - $n AS e
WITH gds.graph.project(
  $graph_name,
  CASE WHEN e < 0 THEN i ELSE $src[e] END,
  CASE WHEN e < 0 THEN null ELSE $dst[e] END,
  {relationshipProperties: CASE WHEN e < 0 OR $w IS NULL THEN null ELSE {w: $w[e]} END},
  $configuration
) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships
"""


class GdsError(NetzichtError):
    """The GDS server is missing, refused a projection, or returned an incomplete result."""


class GdsBackend:
    """`GraphBackend` over Neo4j GDS through the `graphdatascience` client (see module doc).

    `timings` collects the seconds of every projection (``"load"``) and algorithm call by name,
    for the bench; `pinned(g)` keeps a graph loaded across several calls.
    """

    name = "gds"

    def __init__(self, gds: GraphDataScience, *, concurrency: int | None = None) -> None:
        self.gds = gds
        self.concurrency = concurrency
        self.timings: dict[str, float] = {}
        self._pinned: dict[tuple[int, bool], Graph] = {}
        self._in_process = IgraphBackend()

    # -- connecting ----------------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        uri: str,
        auth: tuple[str, str] | None = None,
        database: str | None = None,
        **kwargs: Any,
    ) -> GdsBackend:
        """A backend on its own connection (Bolt; no Arrow on OpenGDS)."""
        try:
            client = GraphDataScience(
                uri, auth=auth, database=database, arrow=False, show_progress=False
            )
        except Exception as exc:  # the client raises plain Exceptions for a missing GDS
            raise GdsError(f"no Neo4j GDS at {uri}: {exc}") from exc
        return cls(client, **kwargs)

    @classmethod
    def from_store(cls, store: Neo4jStore, **kwargs: Any) -> GdsBackend:
        """A backend on the store's own driver and database (the driver stays the store's)."""
        try:
            client = GraphDataScience(
                store._driver, database=store.database, arrow=False, show_progress=False
            )
        except Exception as exc:
            raise GdsError(f"no Neo4j GDS at {store.uri}: {exc}") from exc
        return cls(client, **kwargs)

    def server_version(self) -> str:
        return str(self.gds.server_version())

    # -- loading -------------------------------------------------------------------------------

    def _tick(self, step: str, started: float) -> None:
        self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - started

    def _project(self, g: ProjectedGraph, directed: bool) -> Graph:
        name = f"netzicht-{uuid.uuid4().hex}"
        config: dict[str, Any] = {"undirectedRelationshipTypes": [] if directed else ["*"]}
        if self.concurrency is not None:
            config["readConcurrency"] = self.concurrency
        params = {
            "graph_name": name,
            "n": int(g.n),
            "src": np.asarray(g.src, dtype=np.int64).tolist(),
            "dst": np.asarray(g.dst, dtype=np.int64).tolist(),
            "w": None if g.weight is None else np.asarray(g.weight, dtype=float).tolist(),
            "configuration": config,
        }
        started = time.perf_counter()
        try:
            counts = self.gds.run_cypher(_PROJECT, params)
        except Exception as exc:
            raise GdsError(f"GDS projection of {g.n} nodes / {g.m} edges failed: {exc}") from exc
        self._tick("load", started)
        nodes = int(counts["nodes"].iloc[0])
        if nodes != g.n:
            self._drop(name)
            raise GdsError(f"GDS projection {name}: {nodes} nodes, expected {g.n}")
        return self.gds.graph.get(name)

    def _drop(self, name: str) -> None:
        self.gds.graph.drop(name, fail_if_missing=False)

    @contextmanager
    def loaded(self, g: ProjectedGraph, directed: bool) -> Iterator[Graph]:
        """`g` in the GDS catalog for the duration of the block: the pinned copy, or a fresh
        projection that is dropped at the end."""
        pinned = self._pinned.get((id(g), directed))
        if pinned is not None:
            yield pinned
            return
        graph = self._project(g, directed)
        try:
            yield graph
        finally:
            self._drop(graph.name())

    @contextmanager
    def pinned(self, g: ProjectedGraph, directed: bool | None = None) -> Iterator[None]:
        """Keep `g` loaded (undirected, or as `directed`) for every call inside the block."""
        directed = g.directed if directed is None else directed
        key = (id(g), directed)
        graph = self._project(g, directed)
        self._pinned[key] = graph
        try:
            yield
        finally:
            del self._pinned[key]
            self._drop(graph.name())

    def _scores(self, frame: pd.DataFrame, column: str, n: int) -> np.ndarray:
        """Streamed (nodeId, value) rows as an array in node order; every node must appear."""
        ids = frame["nodeId"].to_numpy(dtype=np.int64)
        if len(ids) != n or (n and (ids.min() < 0 or ids.max() >= n)):
            raise GdsError(f"GDS returned {len(ids)} rows for {n} nodes")
        out = np.empty(n, dtype=frame[column].to_numpy().dtype)
        out[ids] = frame[column].to_numpy()
        return out

    def _run(self, step: str, call: Any, **config: Any) -> pd.DataFrame:
        started = time.perf_counter()
        try:
            frame: pd.DataFrame = call(log_progress=False, **config)
        except Exception as exc:
            raise GdsError(f"GDS {step} failed: {exc}") from exc
        self._tick(step, started)
        return frame

    def _concurrency(self) -> dict[str, Any]:
        return {} if self.concurrency is None else {"concurrency": self.concurrency}

    # -- algorithms ----------------------------------------------------------------------------

    def wcc(self, g: ProjectedGraph) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0, dtype=np.int64)
        with self.loaded(g, directed=False) as graph:
            frame = self._run(
                "wcc", lambda **c: self.gds.wcc.stream(graph, **c), **self._concurrency()
            )
        return canonical_labels(self._scores(frame, "componentId", g.n))

    def leiden(
        self,
        g: ProjectedGraph,
        resolution: float = 1.0,
        seed: int = 7,
        node_weights: np.ndarray | None = None,
    ) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0, dtype=np.int64)
        if node_weights is not None:  # CPM with node weights: not in GDS (module docstring)
            return self._in_process.leiden(g, resolution, seed, node_weights)
        if g.m == 0:  # GDS Leiden needs relationships; every node is its own community
            return np.arange(g.n, dtype=np.int64)
        config: dict[str, Any] = {
            "gamma": float(resolution),
            "random_seed": int(seed),
            "concurrency": 1,
            "max_levels": LEIDEN_MAX_LEVELS,
            "tolerance": LEIDEN_TOLERANCE,
        }
        if g.weight is not None:
            config["relationship_weight_property"] = WEIGHT
        with self.loaded(g, directed=False) as graph:
            frame = self._run("leiden", lambda **c: self.gds.leiden.stream(graph, **c), **config)
        return canonical_labels(self._scores(frame, "communityId", g.n))

    def pagerank(self, g: ProjectedGraph, damping: float = 0.85) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0)
        config: dict[str, Any] = {
            "damping_factor": float(damping),
            "tolerance": PAGERANK_TOLERANCE,
            "max_iterations": PAGERANK_MAX_ITERATIONS,
            **self._concurrency(),
        }
        if g.weight is not None:
            config["relationship_weight_property"] = WEIGHT
        with self.loaded(g, directed=g.directed) as graph:
            frame = self._run(
                "pagerank", lambda **c: self.gds.page_rank.stream(graph, **c), **config
            )
        scores = self._scores(frame, "score", g.n).astype(float)
        total = scores.sum()
        if not total > 0:
            raise GdsError(f"GDS PageRank returned scores summing to {total}")
        return scores / total

    def betweenness(
        self, g: ProjectedGraph, weighted: bool = False, sources: Sequence[int] | None = None
    ) -> np.ndarray:
        if g.n == 0:
            return np.zeros(0)
        config: dict[str, Any] = dict(self._concurrency())
        if weighted and g.weight is not None:
            if float(np.min(g.weight, initial=1.0)) <= 0:
                raise NetzichtError("betweenness: weights are distances and must be positive")
            config["relationship_weight_property"] = WEIGHT
        if sources is not None and len(sources) < g.n:
            config["sampling_size"] = len(sources)
            config["sampling_seed"] = sample_seed(sources)
            # Parallel workers draw and sum sources in a varying order: one worker keeps a seeded
            # sample repeatable.
            config["concurrency"] = 1
        with self.loaded(g, directed=False) as graph:
            frame = self._run(
                "betweenness", lambda **c: self.gds.betweenness.stream(graph, **c), **config
            )
        return self._scores(frame, "score", g.n).astype(float)


def sample_seed(sources: Sequence[int]) -> int:
    """A repeatable GDS `samplingSeed` for a requested source sample (GDS draws its own)."""
    digest = hashlib.blake2b(np.asarray(sources, dtype=np.int64).tobytes(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") >> 1  # a non-negative Java long
