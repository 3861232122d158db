"""Bench: the network measures of `netzicht analyze` on a large graph with planted communities.

Runs weakly connected components, Leiden, PageRank and betweenness sampled from 256 sources
through the analytics backend (igraph) on a graph of --nodes/--edges, and prints the seconds
and the peak resident memory. Then runs the same four measures side by side with networkx on a
smaller graph (--compare-nodes, same mean degree) and prints the speed ratio. networkx has no
Leiden, so Louvain (its closest) stands in on that side. Leiden's modularity and its agreement
with the planted communities (ARI) are printed beside the times; `--igraph-leiden` runs igraph's
own Leiden instead of netzicht's compiled one (used from 100,000 nodes) to compare the two.

    .venv/bin/python bench/analytics.py --nodes 1000000 --edges 5000000 [--json]
    .venv/bin/python bench/analytics.py --nodes 100000 --edges 500000 --compare-nodes 0

The graph: community sizes drawn between 10 and 1,000 (power law, exponent 2), a share --mixing
of the edges between random nodes and the rest inside communities, node ids shuffled so memory
layout gives no help, no self loops or parallel edges. All data is synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.backend import IgraphBackend, ProjectedGraph
from analytics.centrality import betweenness
from analytics.evaluate import adjusted_rand_index

SAMPLE = 256


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def planted_graph(n: int, m: int, mixing: float, seed: int) -> ProjectedGraph:
    """A graph with planted communities (vectorised; see the module docstring); each node's
    planted community in ``cache["planted"]``."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    total = 0
    while total < n:
        size = int(min(1000, 10 / rng.random() ** 1.0))  # P(s > x) ~ 10/x: exponent 2
        size = min(size, n - total)
        sizes.append(size)
        total += size
    size_arr = np.array(sizes, dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(size_arr)[:-1]])
    community = np.repeat(np.arange(len(size_arr)), size_arr)
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < m:  # draw until m distinct pairs (small communities repeat pairs)
        want = int((m - len(keys)) * 1.1) + 16
        inter = rng.random(want) < mixing
        u = rng.integers(0, n, want)
        c = community[u]
        v = np.where(inter, rng.integers(0, n, want), start[c] + rng.integers(0, size_arr[c]))
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        keys = np.unique(np.concatenate([keys, lo[lo != hi] * n + hi[lo != hi]]))
    keys = rng.permutation(keys)[:m]
    perm = rng.permutation(n)
    g = ProjectedGraph(n, perm[keys // n], perm[keys % n], None)
    planted = np.empty(n, dtype=np.int64)
    planted[perm] = community
    g.cache["planted"] = planted  # the truth Leiden's communities are held against
    return g


CPU_SECONDS: dict[str, float] = {}
QUALITY: dict[int, dict[str, float]] = {}


def timed(fn: Callable[[], Any], label: str = "") -> float:
    """Wall seconds of `fn`; its CPU seconds (all threads) go to CPU_SECONDS[label]: on a shared
    machine the wall figure alone says little."""
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    seconds = time.perf_counter() - start
    CPU_SECONDS[label] = time.process_time() - cpu
    if label:
        print(
            f"  {label}: {seconds:.2f} s (cpu {CPU_SECONDS[label]:.2f} s, "
            f"load {os.getloadavg()[0]:.1f})",
            file=sys.stderr,
            flush=True,
        )
    return seconds


def run_igraph(
    g: ProjectedGraph, seed: int, workers: int, igraph_leiden: bool = False
) -> dict[str, float]:
    backend = IgraphBackend(workers=workers)
    if igraph_leiden:  # igraph's own Leiden at every size, for comparison
        backend.compiled_leiden_min_nodes = g.n + 1
    build = timed(lambda: backend.graph(g, directed=False), f"igraph {g.n:,} build")
    communities: list[np.ndarray] = []
    times = {
        "build": build,
        "wcc": timed(lambda: backend.wcc(g), "igraph wcc"),
        "leiden": timed(
            lambda: communities.append(backend.leiden(g, resolution=1.0, seed=seed)),
            "igraph leiden",
        ),
        "pagerank": timed(lambda: backend.pagerank(g), "igraph pagerank"),
        "betweenness_256": timed(
            lambda: betweenness(g, backend, sample=SAMPLE, seed=seed, exact_budget=0),
            "igraph betweenness",
        ),
    }
    # the quality Leiden reached, so a faster run can be checked not to have bought speed with it
    QUALITY[g.n] = {
        "modularity": round(backend.modularity(g, communities[0]), 6),
        "ari_planted": round(
            adjusted_rand_index(
                g.cache["planted"].astype(str).tolist(), communities[0].astype(str).tolist()
            ),
            4,
        ),
    }
    return times


def run_networkx(g: ProjectedGraph, seed: int) -> dict[str, float]:
    import networkx as nx

    graph = nx.Graph()
    build = timed(
        lambda: graph.add_edges_from(zip(g.src.tolist(), g.dst.tolist(), strict=True)),
        f"networkx {g.n:,} build",
    )
    graph.add_nodes_from(range(g.n))
    return {
        "build": build,
        "wcc": timed(lambda: list(nx.connected_components(graph)), "networkx wcc"),
        "leiden": timed(
            lambda: nx.community.louvain_communities(graph, seed=seed), "networkx louvain"
        ),
        "pagerank": timed(lambda: nx.pagerank(graph), "networkx pagerank"),
        "betweenness_256": timed(
            lambda: nx.betweenness_centrality(graph, k=SAMPLE, seed=seed, normalized=False),
            "networkx betweenness",
        ),
    }


def measures_total(times: dict[str, float]) -> float:
    return sum(v for k, v in times.items() if k != "build")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument("--mixing", type=float, default=0.1, help="share of edges across")
    parser.add_argument(
        "--compare-nodes",
        type=int,
        default=100_000,
        help="graph size for the networkx comparison (0: skip)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="threads for the sampled betweenness",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--igraph-leiden",
        action="store_true",
        help="run igraph's Leiden instead of netzicht's compiled one on large graphs (to compare)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    g = planted_graph(args.nodes, args.edges, args.mixing, args.seed)
    generate = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    cpu_start = time.process_time()
    times = run_igraph(g, args.seed, args.workers, args.igraph_leiden)
    cpu = time.process_time() - cpu_start
    seconds = measures_total(times)
    rss = peak_rss_mb()
    report: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(rss, 1),
        "nodes": g.n,
        "edges": g.m,
        "generate_seconds": round(generate, 2),
        "measures": {k: round(v, 2) for k, v in times.items()},
        "cpu_seconds": round(cpu, 2),
        "measures_cpu": {k.split()[-1]: round(v, 2) for k, v in CPU_SECONDS.items()},
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "leiden_modularity": QUALITY[g.n]["modularity"],
        "leiden_ari_planted": QUALITY[g.n]["ari_planted"],
        "workers": args.workers,
        "leiden": "igraph" if args.igraph_leiden else "auto",
    }
    del g
    if args.compare_nodes:
        per_node = args.edges / args.nodes
        small = planted_graph(
            args.compare_nodes, int(args.compare_nodes * per_node), args.mixing, args.seed
        )
        ours = run_igraph(small, args.seed, 1)
        theirs = run_networkx(small, args.seed)
        report["compare"] = {
            "nodes": small.n,
            "edges": small.m,
            "igraph": {k: round(v, 3) for k, v in ours.items()},
            "networkx": {k: round(v, 3) for k, v in theirs.items()},
            "ratio": round(measures_total(theirs) / measures_total(ours), 1),
            "ratio_per_measure": {
                k: round(theirs[k] / ours[k], 1) for k in ours if k != "build" and ours[k] > 0
            },
        }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['nodes']:,} nodes, {report['edges']:,} edges (generated in "
        f"{generate:.1f} s): WCC + Leiden + PageRank + betweenness ({SAMPLE} sources) in "
        f"{seconds:.1f} s, peak RSS {rss:,.0f} MB"
    )
    for name, value in times.items():
        print(f"  {name:<16} {value:8.2f} s")
    print(
        f"  Leiden: modularity {report['leiden_modularity']:.4f}, agreement with the planted "
        f"communities ARI {report['leiden_ari_planted']:.3f}"
    )
    if "compare" in report:
        c = report["compare"]
        print(f"networkx vs igraph on {c['nodes']:,} nodes, {c['edges']:,} edges:")
        for name in c["igraph"]:
            print(f"  {name:<16} {c['networkx'][name]:8.2f} s vs {c['igraph'][name]:8.3f} s")
        print(f"  measures in all: networkx is {c['ratio']}x slower")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
