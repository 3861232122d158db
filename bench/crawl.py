"""Bench: crawler pages per second against the local fixture ad site (127.0.0.1).

Generates a synthetic world, builds its fixture ad sites, serves the largest one on 127.0.0.1 in
this process and crawls it in a fresh process (as `netzicht crawl` does), twice: a first full
crawl (every ad page and image fetched) and an incremental re-crawl (unchanged ads reuse their
image hashes). Politeness delays are off here — the figure is the crawler's own throughput;
real sites get the polite defaults (1 s delay, 2 concurrent requests, robots.txt).

    .venv/bin/python bench/crawl.py [--scale 3000] [--concurrency 8] [--json]

All data is synthetic.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.crawl import crawl_in_subprocess
from ingest.synth import SynthConfig, generate
from ingest.synth.adsite import build_ad_site, crawl_config_for, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="netzicht-crawl-bench-") as tmp:
        work = Path(tmp)
        generate(SynthConfig(seed=args.seed, scale=args.scale, malformed_share=0.0), work / "w")
        built = build_ad_site(work / "w" / "ads" / "ads.jsonl", work / "site", seed=args.seed)
        site = max(built["sites"], key=lambda s: built["sites"][s]["ads"])
        with serve(work / "site" / site) as base:
            config = crawl_config_for(
                site, base, polite={"delay_seconds": 0, "concurrency": args.concurrency}
            )
            config_path = work / "site.yaml"
            config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
            first = crawl_in_subprocess(config_path, work / "out.jsonl")
            again = crawl_in_subprocess(config_path, work / "out.jsonl")
    figures = {
        "site": site,
        "ads": built["sites"][site]["ads"],
        "listing_pages": built["sites"][site]["pages"],
        "concurrency": args.concurrency,
        "first_crawl": {
            "pages": first.pages,
            "images": first.images,
            "seconds": first.seconds,
            "pages_per_second": first.pages_per_second,
            "requests_per_second": round((first.pages + first.images) / first.seconds, 1),
        },
        "incremental_crawl": {
            "pages": again.pages,
            "images": again.images,
            "seconds": again.seconds,
            "pages_per_second": again.pages_per_second,
            "unchanged": again.unchanged,
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        f, g = figures["first_crawl"], figures["incremental_crawl"]
        print(
            f"{site}: {figures['ads']} ads. First crawl {f['pages']} pages + {f['images']} images "
            f"in {f['seconds']} s = {f['pages_per_second']} pages/s "
            f"({f['requests_per_second']} requests/s); incremental {g['pages']} pages in "
            f"{g['seconds']} s = {g['pages_per_second']} pages/s ({g['unchanged']} unchanged)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
