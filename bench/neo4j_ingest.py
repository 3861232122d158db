"""Ingest throughput into Neo4j through netzicht, next to a bare UNWIND + MERGE script.

    python bench/neo4j_ingest.py --rows 100000 [--json] [--repeat 3] [--store bolt://...] [--wipe]

1. Generates a synthetic export of at least --rows rows (all six agency layouts, dirt included);
   not timed.
2. netzicht: times `ingest_paths` of every file into `Neo4jStore` (read, validate, normalise,
   quarantine, provenance merge, write) on an empty database.
3. bare: the same rows, already turned into node and edge records by the pipeline (not timed),
   written by the plainest batched Cypher a hand-written loader would use — per label
   `UNWIND $rows MERGE (n:Label {uid}) SET n += props`, per relationship type
   `UNWIND $rows MATCH (a) MATCH (b) MERGE (a)-[r:TYPE]->(b) SET r += props`, one transaction
   per batch of the same size — on the same server, after emptying the database again.
4. netzicht store only: the same prepared records written through `Neo4jStore.write_batch`
   (provenance merge and all), after emptying the database again. Not the target's figure, but
   it tells the store's own cost (step 2 minus this) from the pipeline's.

Steps 2-4 run `--repeat` times (default 3), in that order each round, and every round is
printed; the figures reported are the medians over the rounds (the ratio: the median of each
round's ratio), because one run of each moves by 10-20 % on this shared machine.
All figures are input rows per second; the ratio is netzicht / bare. The 1-minute load average
before and after each timed run is printed too: on a shared machine it moves every figure.
Before timing, every path runs once on a small export so that none pays for first-time Cypher
planning (replanning during a run, when the counts change, is part of the figures). The
database is emptied before each timed run: allowed without asking only for a server on this
machine; elsewhere pass --wipe. The bare statements are the bench's own (this file): they are
not part of netzicht.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_model.identity import label_of  # noqa: E402
from graph_model.schema import load_schema  # noqa: E402
from graph_model.store.base import (  # noqa: E402
    IngestRunSummary,
    QuarantineRecord,
    WriteBatch,
)
from graph_model.store.neo4j import Neo4jStore  # noqa: E402
from ingest.pipeline import DEFAULT_BATCH_ROWS, ingest_paths  # noqa: E402
from ingest.synth import SynthConfig, generate  # noqa: E402

ROWS_PER_PERSON = 4.0
BARE_NODES = "UNWIND $rows AS row MERGE (n:{label} {{uid: row.uid}}) SET n += row.props"
BARE_TIES = (
    "UNWIND $rows AS row MATCH (a:{src} {{uid: row.src}}) MATCH (b:{dst} {{uid: row.dst}}) "
    "MERGE (a)-[r:{type}]->(b) SET r += row.props"
)
WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"


def make_export(rows: int, out: Path, seed: int) -> dict[str, Any]:
    scale = max(100, int(rows / ROWS_PER_PERSON))
    while True:
        info = generate(SynthConfig(seed=seed, scale=scale), out)
        if int(str(info["rows"])) >= rows:
            return info
        scale = int(scale * rows / int(str(info["rows"])) * 1.02) + 1


class RecordingStore:
    """Takes the pipeline's write batches without writing: what the bare script will write."""

    uri = "memory://bench"

    def __init__(self) -> None:
        self.batches: list[WriteBatch] = []
        self.local: dict[tuple[str, str], str] = {}

    def write_batch(self, batch: WriteBatch, ingested_at: str) -> None:
        self.batches.append(batch)
        for source, local, uid in batch.local_ids:
            self.local.setdefault((source, local), uid)

    def resolve_local_ids(self, source: str, local_ids: Iterable[str]) -> dict[str, str]:
        return {x: self.local[(source, x)] for x in local_ids if (source, x) in self.local}

    def begin_run(self, source: str, mapping: str, started: str) -> str:
        return f"bench-{source}"

    def finish_run(self, summary: IngestRunSummary) -> None:
        return None

    def add_quarantine(self, run_id: str, rows: Sequence[QuarantineRecord]) -> None:
        return None


def exports(export_dir: Path) -> list[tuple[list[Path], str, str]]:
    manifest = json.loads((export_dir / "manifest.json").read_text(encoding="utf-8"))
    return [
        ([export_dir / f for f in e["files"]], e["source"], e["mapping"])
        for e in manifest["exports"]
    ]


def run_netzicht(store: Neo4jStore, export_dir: Path, quarantine: Path) -> tuple[int, float]:
    rows = 0
    start = time.perf_counter()
    for files, source, mapping in exports(export_dir):
        rows += ingest_paths(store, files, source, mapping, quarantine).rows_read
    store.drain()
    return rows, time.perf_counter() - start


def record_batches(export_dir: Path, quarantine: Path) -> tuple[int, list[WriteBatch]]:
    recorder = RecordingStore()
    rows = 0
    for files, source, mapping in exports(export_dir):
        rows += ingest_paths(recorder, files, source, mapping, quarantine).rows_read  # type: ignore[arg-type]
    return rows, recorder.batches


def run_bare(store: Neo4jStore, batches: list[WriteBatch]) -> float:
    schema = load_schema()
    start = time.perf_counter()
    with store._driver.session(database=store.database) as session:
        for batch in batches:
            nodes: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
            for n in batch.nodes:
                nodes[n.label].setdefault(n.uid, {"uid": n.uid, "props": n.properties})
            ties: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
            for e in batch.edges:
                props = {k: v for k, v in e.properties.items() if v is not None}
                ties[(label_of(e.src), e.type, label_of(e.dst))].append(
                    {"src": e.src, "dst": e.dst, "props": props}
                )

            def work(tx: Any, nodes: Any = nodes, ties: Any = ties) -> None:
                for label, rows in nodes.items():
                    text = BARE_NODES.format(label=schema.check_label(label))
                    tx.run(text, {"rows": list(rows.values())}).consume()
                for (src, rel, dst), rows in ties.items():
                    text = BARE_TIES.format(
                        src=schema.check_label(src),
                        type=schema.check_relationship_type(rel),
                        dst=schema.check_label(dst),
                    )
                    tx.run(text, {"rows": rows}).consume()

            session.execute_write(work)
    return time.perf_counter() - start


def run_store(store: Neo4jStore, batches: list[WriteBatch]) -> float:
    ingested_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    start = time.perf_counter()
    for batch in batches:
        store.write_batch(batch, ingested_at)
    store.drain()
    return time.perf_counter() - start


def load() -> float:
    return round(os.getloadavg()[0], 2)


def wipe(store: Neo4jStore) -> None:
    with store._driver.session(database=store.database) as session:
        session.run(WIPE).consume()


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """--store and --wipe, shared by the Neo4j benches (they empty the database they use)."""
    parser.add_argument(
        "--store", default=os.environ.get("NETZICHT_BENCH_NEO4J", "bolt://127.0.0.1:7687")
    )
    parser.add_argument("--wipe", action="store_true", help="allow emptying a remote database")


def refuse_remote_without_wipe(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    host = urlparse(args.store).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1") and not args.wipe:
        parser.error(f"the bench empties the database at {args.store}; pass --wipe to allow it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    add_server_options(parser)
    parser.add_argument("--keep", type=Path, help="keep the export in this directory")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of the three timed runs; the figures are their medians (default 3)",
    )
    args = parser.parse_args()
    # The care-coordinator export is pseudonymised at ingest: local keys, as `netzicht demo` makes.
    from netzicht.keys import ensure_local_keys

    ensure_local_keys(Path(tempfile.gettempdir()) / "netzicht-bench-keys")

    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    refuse_remote_without_wipe(parser, args)

    work = args.keep or Path(tempfile.mkdtemp(prefix="netzicht-neo4j-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = make_export(args.rows, work / "export", args.seed)
    generate(SynthConfig(seed=args.seed + 1, scale=400), work / "warmup")
    quarantine = work / "q"

    store = Neo4jStore.from_uri(args.store)
    rounds: list[dict[str, Any]] = []
    try:
        # Warm-up: plan every statement of all paths once, then start from empty.
        warm_batches = record_batches(work / "warmup", quarantine)[1]
        wipe(store)
        run_netzicht(store, work / "warmup", quarantine)
        wipe(store)
        run_bare(store, warm_batches)
        wipe(store)
        run_store(store, warm_batches)

        bare_rows, batches = record_batches(work / "export", quarantine)
        for _ in range(args.repeat):
            wipe(store)
            before = load()
            rows, seconds = run_netzicht(store, work / "export", quarantine)
            after = load()
            stats = store.stats()
            wipe(store)
            bare_before = load()
            bare_seconds = run_bare(store, batches)
            bare_after = load()
            wipe(store)
            store_before = load()
            store_seconds = run_store(store, batches)
            rounds.append(
                {
                    "seconds": round(seconds, 2),
                    "bare_seconds": round(bare_seconds, 2),
                    "store_seconds": round(store_seconds, 2),
                    "ratio": round(bare_seconds / seconds, 3),
                    "store_ratio": round(bare_seconds / store_seconds, 3),
                    "load": {
                        "netzicht": [before, after],
                        "bare": [bare_before, bare_after],
                        "store": [store_before, load()],
                    },
                }
            )
    finally:
        store.close()
    assert bare_rows == rows

    def middle(key: str) -> float:
        return float(statistics.median(r[key] for r in rounds))

    seconds, bare_seconds, store_seconds = (
        middle("seconds"),
        middle("bare_seconds"),
        middle("store_seconds"),
    )
    result = {
        "rows": rows,
        "people": info["people"],
        "batch_rows": DEFAULT_BATCH_ROWS,
        "nodes": sum(stats.nodes.values()),
        "ties": sum(stats.edges.values()),
        "rounds": rounds,
        "seconds": seconds,
        "bare_seconds": bare_seconds,
        "store_seconds": store_seconds,
        "rows_per_s": round(rows / seconds, 1),
        "bare_rows_per_s": round(rows / bare_seconds, 1),
        "store_rows_per_s": round(rows / store_seconds, 1),
        "ratio": middle("ratio"),
        "store_ratio": middle("store_ratio"),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{rows:,} rows -> {result['nodes']:,} nodes, {result['ties']:,} ties on {args.store}"
        )
        for number, r in enumerate(rounds, 1):
            loads = "; ".join(f"{k} {v[0]:.1f} -> {v[1]:.1f}" for k, v in r["load"].items())
            print(
                f"round {number}: netzicht {r['seconds']:.1f} s, bare {r['bare_seconds']:.1f} s, "
                f"store only {r['store_seconds']:.1f} s, ratio {r['ratio']:.2f} "
                f"(store only {r['store_ratio']:.2f}; load {loads})"
            )
        print(
            f"netzicht: {seconds:.1f} s, {result['rows_per_s']:,.0f} rows/s "
            "(read, normalise, quarantine, provenance merge, write)\n"
            f"bare UNWIND + MERGE: {bare_seconds:.1f} s, {result['bare_rows_per_s']:,.0f} rows/s "
            "(writes only, records prepared beforehand)\n"
            f"netzicht store only: {store_seconds:.1f} s, {result['store_rows_per_s']:,.0f} rows/s "
            "(the same prepared records through Neo4jStore.write_batch)\n"
            f"ratio netzicht / bare: {result['ratio']:.2f} (store only / bare: "
            f"{result['store_ratio']:.2f})"
            + (f"; medians of {len(rounds)} rounds" if len(rounds) > 1 else "")
        )


if __name__ == "__main__":
    main()
