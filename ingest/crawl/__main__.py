"""`python -m ingest.crawl CONFIG --out FILE [--max-pages N] [--state FILE] [--json]`.

The same crawl as `netzicht crawl`, in its own process (Scrapy's reactor runs once per process).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest.crawl import run_crawl
from netzicht.errors import NetzichtError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.crawl", description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--out", type=Path, default=Path("ads.jsonl"))
    parser.add_argument("--max-pages", type=int, default=None)
    parser.add_argument("--state", type=Path, default=None)
    parser.add_argument("--all", action="store_true", help="also write unchanged ads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        summary = run_crawl(args.config, args.out, args.max_pages, args.state, args.all)
    except NetzichtError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary.as_dict()))
    else:
        print(
            f"{summary.site}: {summary.pages} pages ({summary.pages_per_second}/s), "
            f"{summary.new} new, {summary.changed} changed, {summary.removed} removed → {args.out}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
