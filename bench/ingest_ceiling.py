"""The ceiling under bench/ingest.py: how fast the SQLite store takes the rows an ingest makes.

    python bench/ingest_ceiling.py --rows 1000000 [--json] [--keep DIR]

Ingests the same synthetic export as bench/ingest.py (same --rows and --seed, reused from --keep)
and keeps every batch the ingest hands to the store. Then it writes those batches again, and
nothing else, into a fresh SQLite file: no reading, parsing, normalising or mapping. Rows per
second of that replay is the most any ingest into this store can reach on this machine, however
fast the mapping; the figure explains how far the end-to-end figure can go.

It reports the time of the writes as a whole and of their two parts: merging a batch into one
row per node, tie and provenance key (Python, `prepare_write`), and the SQL statements
(SQLite's C code: staging each batch, and merging what is staged into the indexed tables).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import graph_model.store.sqlite as sqlite_store  # noqa: E402
from graph_model.store.base import WriteBatch  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402


def _ingest_bench() -> Any:
    """bench/ingest.py, for its set-up and export (its name clashes with the ingest package)."""
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _ingest_bench()


def capture(work: Path) -> tuple[int, list[tuple[WriteBatch, str]]]:
    """Ingest the export once, keeping every batch written; returns rows read and the batches."""
    manifest = json.loads((work / "export" / "manifest.json").read_text(encoding="utf-8"))
    store = BENCH.fresh_store(work / "capture.db")
    batches: list[tuple[WriteBatch, str]] = []
    prepare, write = store.prepare_write, store.write_prepared
    kept: list[WriteBatch] = []

    def keep_batch(batch: WriteBatch) -> sqlite_store.PreparedWrite:
        kept.append(batch)
        return prepare(batch)

    def keep_time(prepared: sqlite_store.PreparedWrite, ingested_at: str) -> None:
        batches.append((kept[len(batches)], ingested_at))
        write(prepared, ingested_at)

    # Mapped in this process, so that each batch passes through prepare_write here.
    store.prepare_write = keep_batch  # type: ignore[method-assign]
    store.write_prepared = keep_time  # type: ignore[method-assign]
    rows = 0
    for export in manifest["exports"]:
        files = [work / "export" / f for f in export["files"]]
        summary = ingest_paths(
            store, files, export["source"], export["mapping"], work / "q", workers=1
        )
        rows += summary.rows_read
    store.close()
    return rows, batches


def replay(path: Path, batches: list[tuple[WriteBatch, str]]) -> dict[str, float]:
    """Write the batches as an ingest does, timing the merge and the SQL apart."""
    store = BENCH.fresh_store(path)
    merge = sql = 0.0
    start = time.perf_counter()
    for batch, ingested_at in batches:
        t0 = time.perf_counter()
        prepared = sqlite_store.prepare_write(batch)
        t1 = time.perf_counter()
        store.write_prepared(prepared, ingested_at)
        merge += t1 - t0
        sql += time.perf_counter() - t1
    t2 = time.perf_counter()
    store.flush()
    sql += time.perf_counter() - t2
    seconds = time.perf_counter() - start
    store.close()
    return {"seconds": seconds, "merge_seconds": merge, "sql_seconds": sql}


def main() -> None:
    args, work, _ = BENCH.setup(__doc__.splitlines()[0])
    rows, batches = capture(work)
    load = os.getloadavg()[0]
    timing = replay(work / "replay.db", batches)
    table_rows = sum(len(b.nodes) + len(b.edges) for b, _ in batches)
    result = {
        "rows": rows,
        "node_and_edge_records": table_rows,
        "seconds": round(timing["seconds"], 2),
        "merge_seconds": round(timing["merge_seconds"], 2),
        "sql_seconds": round(timing["sql_seconds"], 2),
        "rows_per_s": round(rows / timing["seconds"], 1),
        "rows_per_s_sql_only": round(rows / timing["sql_seconds"], 1),
        "load_avg_1m": round(load, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"store ceiling: the batches of {rows:,} rows ({table_rows:,} node and edge records) "
            f"written in {timing['seconds']:.1f} s = {result['rows_per_s']:,.0f} rows/s "
            f"(merge {timing['merge_seconds']:.1f} s, SQL {timing['sql_seconds']:.1f} s = "
            f"{result['rows_per_s_sql_only']:,.0f} rows/s for the SQL alone); load {load:.1f}"
        )


if __name__ == "__main__":
    main()
