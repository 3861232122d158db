"""Bench: the network measures of `netzicht analyze` in process (igraph) and in Neo4j GDS.

On one planted-community graph (`bench/analytics.py`'s generator, with seeded weights drawn
uniformly from [0.5, 2)), runs weakly connected components, Leiden, PageRank and betweenness
from 256 sampled sources with `IgraphBackend` and with `GdsBackend`, and prints seconds per
step. For GDS the projection into the graph catalog ("load": Python → Bolt → Cypher
aggregation) is timed apart from the algorithms (each including its result stream back into
node order). Also printed: the peak RSS of this process, the JVM's peak RSS when its pid file is
found, the load average before and after, and how far the two backends' answers are apart
(WCC identical, PageRank max |diff|, adjusted Rand index of the Leiden partitions).

    .venv/bin/python bench/gds_analytics.py --nodes 100000 --edges 500000 [--json]

Needs a running Neo4j + GDS (tools/neo4j/start.sh; NEO4J_HEAP_MAX sets its heap). All data is
synthetic.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.backend import GraphBackend, IgraphBackend, ProjectedGraph  # noqa: E402
from analytics.evaluate import adjusted_rand_index  # noqa: E402
from analytics.gds_backend import GdsBackend  # noqa: E402
from bench.analytics import planted_graph  # noqa: E402

SAMPLE = 256
STEPS = ("wcc", "leiden", "pagerank", "betweenness_256")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_peak_rss_mb() -> float | None:
    """VmHWM of the Neo4j JVM started by tools/neo4j/start.sh, when its pid file is there."""
    home = Path(os.environ.get("NEO4J_HOME_DIR", ROOT / ".neo4j"))
    try:
        pid = (home / "run" / "neo4j.pid").read_text(encoding="utf-8").strip()
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def timed(label: str, fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.2f} s", file=sys.stderr, flush=True)
    return seconds, value


def run(
    backend: GraphBackend, g: ProjectedGraph, sources: list[int], seed: int
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    name = backend.name
    times: dict[str, float] = {}
    out: dict[str, np.ndarray] = {}
    times["wcc"], out["wcc"] = timed(f"{name} wcc", lambda: backend.wcc(g))
    times["leiden"], out["leiden"] = timed(
        f"{name} leiden", lambda: backend.leiden(g, resolution=1.0, seed=seed)
    )
    times["pagerank"], out["pagerank"] = timed(f"{name} pagerank", lambda: backend.pagerank(g))
    times["betweenness_256"], out["betweenness"] = timed(
        f"{name} betweenness", lambda: backend.betweenness(g, sources=sources)
    )
    return times, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--mixing", type=float, default=0.1, help="share of edges across")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--uri", default=os.environ.get("NETZICHT_NEO4J", "bolt://127.0.0.1:7687"))
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if args.nodes < SAMPLE or args.edges < 1:
        parser.error(f"--nodes must be at least {SAMPLE} and --edges at least 1")

    load_before = os.getloadavg()
    t0 = time.perf_counter()
    g = planted_graph(args.nodes, args.edges, args.mixing, args.seed)
    g.weight = np.random.default_rng(args.seed).uniform(0.5, 2.0, g.m)
    generate = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    sources = np.sort(rng.choice(g.n, size=SAMPLE, replace=False)).tolist()

    igraph = IgraphBackend()
    build, _ = timed("igraph build", lambda: igraph.graph(g, directed=False))
    ig_times, ig_out = run(igraph, g, sources, args.seed)
    rss_after_igraph = peak_rss_mb()

    gds = GdsBackend.connect(args.uri)
    with gds.pinned(g):
        load = gds.timings["load"]
        print(f"  gds load: {load:.2f} s", file=sys.stderr, flush=True)
        gds_times, gds_out = run(gds, g, sources, args.seed)
    gds.gds.close()

    report: dict[str, Any] = {
        "nodes": g.n,
        "edges": g.m,
        "generate_seconds": round(generate, 2),
        "igraph": {
            "build": round(build, 2),
            **{k: round(ig_times[k], 2) for k in STEPS},
            "algorithms_total": round(sum(ig_times.values()), 2),
            "total": round(build + sum(ig_times.values()), 2),
        },
        "gds": {
            "load": round(load, 2),
            **{k: round(gds_times[k], 2) for k in STEPS},
            "algorithms_total": round(sum(gds_times.values()), 2),
            "total": round(load + sum(gds_times.values()), 2),
            "server_version": gds.server_version(),
        },
        "agreement": {
            "wcc_identical": bool(np.array_equal(ig_out["wcc"], gds_out["wcc"])),
            "pagerank_max_abs_diff": float(np.abs(ig_out["pagerank"] - gds_out["pagerank"]).max()),
            "leiden_ari": round(
                adjusted_rand_index(ig_out["leiden"].tolist(), gds_out["leiden"].tolist()), 4
            ),
            "leiden_communities": [
                int(ig_out["leiden"].max()) + 1,
                int(gds_out["leiden"].max()) + 1,
            ],
        },
        "peak_rss_mb": {
            "this_process_after_igraph": round(rss_after_igraph, 1),
            "this_process": round(peak_rss_mb(), 1),
            "neo4j_jvm": server_peak_rss_mb(),
        },
        "server_heap_max": os.environ.get("NEO4J_HEAP_MAX", "2g (start.sh default)"),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{g.n:,} nodes, {g.m:,} edges (generated in {generate:.1f} s)")
    print(f"{'step':<18}{'igraph s':>10}{'GDS s':>10}")
    print(f"{'build / load':<18}{build:>10.2f}{load:>10.2f}")
    for step in STEPS:
        print(f"{step:<18}{ig_times[step]:>10.2f}{gds_times[step]:>10.2f}")
    print(
        f"{'algorithms':<18}{report['igraph']['algorithms_total']:>10.2f}"
        f"{report['gds']['algorithms_total']:>10.2f}"
    )
    print(f"{'total':<18}{report['igraph']['total']:>10.2f}{report['gds']['total']:>10.2f}")
    print(f"agreement: {json.dumps(report['agreement'])}")
    print(f"peak RSS MB: {json.dumps(report['peak_rss_mb'])}")
    print(
        f"load average before {report['load_average_before']}, after {report['load_average_after']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
