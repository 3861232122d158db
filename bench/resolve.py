"""Bench: entity resolution of N person records (default 1,000,000) on this machine.

Generates synthetic people (names from the synth name lists, written with the synth variants:
typos, initials, lost diacritics, capitals), spreads them over sources as 1–4 records each with
the gaps agencies have (birth date 85 %, phone 60 %, address 80 %, IBAN 40 %), then times the
resolver and reports pairwise precision/recall against the generator's truth and peak memory.
Generated records have no surroundings, so this times blocking and pairwise scoring; with
``--store`` the records' surroundings are read too and the context pass runs, as in
`netzicht resolve` (``--truth`` then scores only records that are not pseudonymised).

    .venv/bin/python bench/resolve.py [--records 1000000] [--seed 7] [--json]
    .venv/bin/python bench/resolve.py --store /tmp/er-demo/demo.db --truth /tmp/er-demo/truth.json

All data is synthetic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.resolution.evaluate import pairwise_scores, truth_groups
from analytics.resolution.matching import ResolverConfig, resolve
from analytics.resolution.records import Context, PersonRecord
from ingest.synth.names import make_name, variant

SOURCES = ("police", "fiu", "nla", "municipality", "care", "om")
NATIONALITY_WEIGHTS = {"dutch": 0.55, "romanian": 0.12, "bulgarian": 0.08, "polish": 0.1,
                       "hungarian": 0.05, "nigerian": 0.1}  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(n_records: int, seed: int) -> tuple[list[PersonRecord], dict[str, str]]:
    rng = random.Random(seed)
    nationalities = list(NATIONALITY_WEIGHTS)
    weights = list(NATIONALITY_WEIGHTS.values())
    records: list[PersonRecord] = []
    truth: dict[str, str] = {}
    person = 0
    houses: list[str] = []
    while len(records) < n_records:
        person += 1
        tid = f"T{person:08d}"
        nationality = rng.choices(nationalities, weights)[0]
        first, last = make_name(rng, nationality)
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(45 * 365))
        phone = f"+316{rng.choice('123458')}{rng.randrange(10_000_000):07d}"
        # One in ten people live in a shared house (workers, victims); others alone.
        if houses and rng.random() < 0.1:
            home = rng.choice(houses)
        else:
            letters = rng.choice("ABCDEFGHJK") + rng.choice("LMNPRTVX")
            home = f"{rng.randint(1000, 9999)}{letters}|{rng.randint(1, 300)}"
            if rng.random() < 0.02:
                houses.append(home)
        iban = f"NL{rng.randrange(100):02d}BANK{rng.randrange(10**10):010d}"
        k = rng.choices((1, 2, 3, 4), (0.45, 0.3, 0.17, 0.08))[0]
        for source in rng.sample(SOURCES, k):
            f, la = variant(rng, first, last) if rng.random() < 0.35 else (first, last)
            uid = f"Person:{source}:{tid}"
            records.append(
                PersonRecord(
                    uid=uid,
                    source=source,
                    name=f"{f} {la}",
                    birth_date=birth.isoformat() if rng.random() < 0.85 else None,
                    nationality=nationality if rng.random() < 0.3 else None,
                    phones=(phone,) if rng.random() < 0.6 else (),
                    ibans=(iban,) if rng.random() < 0.4 else (),
                    addresses=(home,) if rng.random() < 0.8 else (),
                )
            )
            truth[uid] = tid
            if len(records) >= n_records:
                break
    return records, truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-block", type=int, default=ResolverConfig().max_block)
    parser.add_argument("--store", type=str, default=None, help="resolve a store instead")
    parser.add_argument("--truth", type=Path, default=None, help="truth.json for --store")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    known: list[str] | None = None
    context: Context | None = None
    if args.store:
        from analytics.resolution.evaluate import comparable_records
        from analytics.resolution.records import load_context, load_person_records
        from graph_model.store import open_store

        store = open_store(args.store)
        records = load_person_records(store)
        context = load_context(store, records)
        known = comparable_records(store)
        store.close()
        truth = (
            truth_groups(json.loads(args.truth.read_text(encoding="utf-8"))) if args.truth else {}
        )
    else:
        records, truth = generate(args.records, args.seed)
    t_gen = time.perf_counter() - t0
    rss_before = peak_rss_mb()
    t1 = time.perf_counter()
    result = resolve(records, ResolverConfig(max_block=args.max_block), context=context)
    seconds = time.perf_counter() - t1
    scores: dict[str, Any] = pairwise_scores(result.clusters, truth, known) if truth else {}
    figures = {
        "records": len(records),
        "generate_or_load_seconds": round(t_gen, 1),
        "resolve_seconds": round(seconds, 1),
        "records_per_second": round(len(records) / seconds) if seconds else None,
        "peak_rss_mb": round(peak_rss_mb()),
        "rss_before_resolve_mb": round(rss_before),
        "pairwise": scores,
        "stats": result.stats,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"{figures['records']:,} records resolved in {figures['resolve_seconds']} s "
            f"({figures['records_per_second']:,} records/s), "
            f"peak RSS {figures['peak_rss_mb']:,} MB; "
            f"candidate pairs {result.stats['candidate_pairs']:,}, "
            f"blocks skipped {result.stats['blocks_skipped']:,}; stages {result.stats['seconds']}"
        )
        if scores:
            print(
                f"pairwise precision {scores['precision']}, recall {scores['recall']}, "
                f"f1 {scores['f1']} ({scores['true_pairs']:,} true pairs)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
