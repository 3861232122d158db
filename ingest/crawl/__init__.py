"""`netzicht crawl`: a polite, incremental crawler for online ad sites, built on Scrapy.

One YAML configuration per site (see `ingest/crawl/config.py`). The crawl obeys robots.txt,
identifies itself, waits between requests (Scrapy's download delay plus AutoThrottle), caps the
pages it fetches, and remembers what it saw in a state file next to the output. Its output is
JSON Lines in the columns of the `ads` mapping (`netzicht ingest out.jsonl --source ads`), one
row per new or changed ad, and one row per removed ad with ``status: removed``.

Scrapy runs on a Twisted reactor that cannot be restarted inside one process, so
:func:`run_crawl` runs one crawl per process; :func:`crawl_in_subprocess` runs it in a fresh
interpreter for callers that crawl more than once (the service layer, tests).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.crawl.config import CrawlConfig, CrawlConfigError, load_config, parse_config
from ingest.crawl.state import CrawlState
from netzicht.errors import NetzichtError

OUTPUT_FIELDS = (
    "site", "ad_id", "url", "title", "text", "city", "posted", "stated_age", "price", "phone",
    "phones", "email", "image_hashes", "status", "first_seen", "last_seen", "removed",
    "content_hash", "crawled_at",
)  # fmt: skip


@dataclass
class CrawlSummary:
    config: str
    site: str
    out: str
    state: str
    pages: int
    images: int
    seconds: float
    pages_per_second: float
    ads_seen: int
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    truncated: bool = False
    rows_written: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_state_path(out: Path) -> Path:
    return out.with_name(out.stem + ".state.json")


def _scrapy_settings(config: CrawlConfig) -> dict[str, Any]:
    polite = config.polite
    return {
        "USER_AGENT": polite.user_agent,
        "ROBOTSTXT_OBEY": polite.obey_robots,
        "DOWNLOAD_DELAY": polite.delay_seconds,
        "RANDOMIZE_DOWNLOAD_DELAY": polite.delay_seconds > 0,
        "AUTOTHROTTLE_ENABLED": polite.delay_seconds > 0,
        "AUTOTHROTTLE_START_DELAY": max(polite.delay_seconds, 0.1),
        "CONCURRENT_REQUESTS": polite.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
        "DOWNLOAD_TIMEOUT": polite.timeout_seconds,
        "RETRY_TIMES": 2,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REDIRECT_MAX_TIMES": 5,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }


def run_crawl(
    config: CrawlConfig | Path | str,
    out: Path,
    max_pages: int | None = None,
    state_path: Path | None = None,
    include_unchanged: bool = False,
) -> CrawlSummary:
    """Crawl one site into `out` (JSON Lines). One call per process (Twisted's reactor)."""
    from scrapy.crawler import CrawlerProcess

    from ingest.crawl.spider import AdSpider

    cfg = config if isinstance(config, CrawlConfig) else load_config(config)
    cap = min(max_pages, cfg.polite.max_pages) if max_pages else cfg.polite.max_pages
    state_file = state_path or default_state_path(out)
    state = CrawlState.load(state_file)
    process = CrawlerProcess(settings=_scrapy_settings(cfg), install_root_handler=False)
    crawler = process.create_crawler(AdSpider)
    started = time.perf_counter()
    process.crawl(crawler, config=cfg, state=state, max_pages=cap)
    process.start()
    seconds = time.perf_counter() - started
    spider: AdSpider = crawler.spider  # type: ignore[assignment]
    if spider is None:
        raise NetzichtError(f"{cfg.path}: the crawl did not start")
    summary = CrawlSummary(
        config=cfg.path,
        site=cfg.site,
        out=str(out),
        state=str(state_file),
        pages=spider.pages_fetched,
        images=spider.images_fetched,
        seconds=round(seconds, 2),
        pages_per_second=round(spider.pages_fetched / seconds, 1) if seconds else 0.0,
        ads_seen=len(spider.items),
        truncated=spider.truncated,
    )
    rows = _reconcile(spider.items, state, summary, spider.crawled_at, spider.failed_listings)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        for row in rows:
            if row["status"] == "unchanged" and not include_unchanged:
                continue
            clean = {k: row[k] for k in OUTPUT_FIELDS if row.get(k) not in (None, "", [])}
            handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
            summary.rows_written += 1
    state.save()
    return summary


def _reconcile(
    items: dict[str, dict[str, Any]],
    state: CrawlState,
    summary: CrawlSummary,
    crawled_at: str,
    failed_listings: int,
) -> list[dict[str, Any]]:
    today = crawled_at[:10]
    rows: list[dict[str, Any]] = []
    for ad_id, row in sorted(items.items()):
        known = state.known(ad_id)
        if known is None or known.get("status") == "removed":
            status = "new"
        elif known.get("content_hash") != row["content_hash"]:
            status = "changed"
        else:
            status = "unchanged"
        setattr(summary, status, getattr(summary, status) + 1)
        row.update(
            status=status,
            first_seen=(known or {}).get("first_seen", today),
            last_seen=today,
            crawled_at=crawled_at,
        )
        state.ads[ad_id] = {
            "content_hash": row["content_hash"],
            "image_urls": row.get("image_urls", []),
            "image_hashes": row.get("image_hashes", ""),
            "first_seen": row["first_seen"],
            "last_seen": today,
            "status": "active",
            "row": {k: row.get(k) for k in OUTPUT_FIELDS if k not in ("status", "removed")},
        }
        rows.append(row)
    if summary.truncated or failed_listings:
        summary.notes.append(
            "the crawl did not see the whole site (page cap or failed listing pages): "
            "no ad is marked removed"
        )
        return rows
    for ad_id, known in sorted(state.ads.items()):
        if ad_id in items or known.get("status") == "removed":
            continue
        known["status"] = "removed"
        known["removed"] = today
        summary.removed += 1
        rows.append({**known.get("row", {}), "status": "removed", "removed": today})
    return rows


def crawl_in_subprocess(
    config: Path, out: Path, max_pages: int | None = None, state_path: Path | None = None
) -> CrawlSummary:
    """Run :func:`run_crawl` in a fresh interpreter and return its summary."""
    cmd = [sys.executable, "-m", "ingest.crawl", str(config), "--out", str(out), "--json"]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    if state_path is not None:
        cmd += ["--state", str(state_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["crawl failed"])[-1]
        raise NetzichtError(f"crawl {config}: {message}")
    return CrawlSummary(**json.loads(done.stdout))


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


__all__ = [
    "CrawlConfig",
    "CrawlConfigError",
    "CrawlSummary",
    "crawl_in_subprocess",
    "load_config",
    "parse_config",
    "run_crawl",
]
