"""How the Neo4j store's write of one batch grows with a node's provenance.

    python bench/neo4j_provenance.py [--entries 40000] [--batch 500] [--json] [--store bolt://...]

A node that many records mention (a `Region`: every case, signal and address names one) keeps
one provenance entry per source record, as lists on the node. Every batch that mentions it
again must find which of its records are new among those the node has, and append them. This
bench writes batches of --batch new records of one such node until it holds --entries, and
prints the time of one batch (the write path as the ingest runs it: statements and commit) at
1,000, 5,000, 10,000, 20,000 and 40,000 entries (those up to --entries). A 1M-row synthetic
export gives its busiest region about 23,000 entries (the quietest about 6,000).

The database is emptied first: allowed without asking only for a server on this machine;
elsewhere pass --wipe.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The other Neo4j bench, beside this file (run as a script, bench/ is first on sys.path).
from neo4j_ingest import add_server_options, refuse_remote_without_wipe, wipe  # noqa: E402

from graph_model.store.base import NodeRecord, WriteBatch  # noqa: E402
from graph_model.store.neo4j import Neo4jStore  # noqa: E402

INGESTED_AT = "2026-01-01T00:00:00+00:00"
CHECKPOINTS = (1_000, 5_000, 10_000, 20_000, 40_000)


def region_batch(first: int, size: int) -> WriteBatch:
    """`size` new police records, each naming the same region."""
    return WriteBatch(
        nodes=[
            NodeRecord(
                "Region:Zeeland-West-Brabant",
                "Region",
                "Zeeland-West-Brabant",
                {"name": "Zeeland-West-Brabant"},
                "police",
                f"2024-Z{n:07d}/P{n:07d}/verdachte",
                "2024-03-01",
            )
            for n in range(first, first + size)
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=40_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    add_server_options(parser)
    args = parser.parse_args()
    if args.batch < 1 or args.entries < args.batch:
        parser.error("--batch must be at least 1 and --entries at least --batch")
    refuse_remote_without_wipe(parser, args)

    store = Neo4jStore.from_uri(args.store)
    timings: dict[int, float] = {}
    try:
        wipe(store)
        entries = 0
        while entries < args.entries:
            batch = region_batch(entries, args.batch)
            start = time.perf_counter()
            store.write_batch(batch, INGESTED_AT)
            store.drain()  # the write is streamed to a writer thread: wait for its commit
            seconds = time.perf_counter() - start
            entries += args.batch
            if entries in CHECKPOINTS or entries >= args.entries:
                timings[entries] = seconds
    finally:
        store.close()

    if args.json:
        print(json.dumps({"batch": args.batch, "seconds_per_batch": timings}))
        return
    for entries, seconds in timings.items():
        print(
            f"a batch of {args.batch:,} new records of a node that had "
            f"{entries - args.batch:,} entries: {seconds * 1000:,.0f} ms"
        )


if __name__ == "__main__":
    main()
