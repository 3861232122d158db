"""Ingest throughput into the embedded SQLite store, end to end.

    python bench/ingest.py --rows 1000000 [--json] [--keep DIR]

Generates a synthetic export of at least --rows rows (all six agency layouts, dirt included),
then times the ingest of every file (read, validate, normalise, quarantine, write) into a fresh
SQLite file, and prints rows per second. The generation is not timed; with --keep, an export
already in DIR from the same --rows and --seed is reused.

Besides wall-clock rows/s it reports the CPU seconds of the process (all threads) and of the
worker processes that mapped large files (ingest/parallel.py), and the load average: on a
shared machine wall-clock numbers move with other jobs, CPU time much less. --workers sets how
many worker processes map a file (default: one per core, up to 4; 1 maps in this process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_model.store.sqlite import SQLiteStore  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from ingest.synth import SynthConfig, generate  # noqa: E402

ROWS_PER_PERSON = 4.0  # measured on the default generator; re-checked below


def make_export(rows: int, out: Path, seed: int) -> dict[str, object]:
    stamp = out / "bench.json"
    if stamp.is_file():
        kept = json.loads(stamp.read_text(encoding="utf-8"))
        if (kept["rows_asked"], kept["seed"]) == (rows, seed):
            return dict(kept["info"])
    scale = max(100, int(rows / ROWS_PER_PERSON))
    while True:
        info = generate(SynthConfig(seed=seed, scale=scale), out)
        if int(str(info["rows"])) >= rows:
            stamp.write_text(
                json.dumps({"rows_asked": rows, "seed": seed, "info": info}, default=str),
                encoding="utf-8",
            )
            return info
        scale = int(scale * rows / int(str(info["rows"])) * 1.02) + 1


def fresh_store(path: Path) -> SQLiteStore:
    """An empty SQLite store at `path` (a previous one and its WAL files removed)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return SQLiteStore(path)


def setup(description: str) -> tuple[argparse.Namespace, Path, dict[str, object]]:
    """Options, work directory and export shared by the ingest benches: the same --rows and
    --seed give the same export (reused from --keep)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the export and store in this directory")
    parser.add_argument("--workers", type=int, default=None, help="mapping processes per file")
    args = parser.parse_args()
    # The care-coordinator export is pseudonymised at ingest: local keys, as `netzicht demo` makes.
    from netzicht.keys import ensure_local_keys

    ensure_local_keys(Path(tempfile.gettempdir()) / "netzicht-bench-keys")

    work = args.keep or Path(tempfile.mkdtemp(prefix="netzicht-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    return args, work, make_export(args.rows, work / "export", args.seed)


def main() -> None:
    args, work, info = setup(__doc__.splitlines()[0])
    manifest = json.loads((work / "export" / "manifest.json").read_text(encoding="utf-8"))
    db_path = work / "bench.db"
    store = fresh_store(db_path)
    read = ingested = quarantined = 0
    load = os.getloadavg()[0]
    cpu_start = time.process_time()
    start = time.perf_counter()
    for export in manifest["exports"]:
        files = [work / "export" / f for f in export["files"]]
        summary = ingest_paths(
            store, files, export["source"], export["mapping"], work / "q", workers=args.workers
        )
        read += summary.rows_read
        ingested += summary.rows_ingested
        quarantined += summary.rows_quarantined
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = workers.ru_utime + workers.ru_stime
    result = {
        "rows": read,
        "rows_ingested": ingested,
        "rows_quarantined": quarantined,
        "seconds": round(seconds, 2),
        "rows_per_s": round(read / seconds, 1),
        "cpu_seconds": round(cpu, 2),
        "worker_cpu_seconds": round(worker_cpu, 2),
        "rows_per_cpu_s": round(read / (cpu + worker_cpu), 1),
        "load_avg_1m": round(load, 2),
        "people": info["people"],
        "peak_rss_mb": round(peak_mb, 1),
        "worker_peak_rss_mb": round(workers.ru_maxrss / 1024, 1),
        "store_mb": round(db_path.stat().st_size / 2**20, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"ingested {read:,} rows ({quarantined:,} quarantined) in {seconds:.1f} s: "
            f"{read / seconds:,.0f} rows/s; CPU s {cpu:.1f} here + {worker_cpu:.1f} in workers "
            f"({result['rows_per_cpu_s']:,.0f} rows per CPU s); load {load:.1f}; peak RSS "
            f"{peak_mb:,.0f} MB here, {result['worker_peak_rss_mb']:,.0f} MB per worker; "
            f"store {result['store_mb']} MB"
        )


if __name__ == "__main__":
    main()
