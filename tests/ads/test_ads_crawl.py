"""The crawler against a real HTTP server on 127.0.0.1 serving the synthetic fixture ad site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from analytics.ads.cluster import cluster_ads, purity
from analytics.ads.model import load_ads
from graph_model.store.sqlite import SQLiteStore
from ingest.crawl import crawl_in_subprocess, parse_config
from ingest.crawl.config import DEFAULT_USER_AGENT, CrawlConfigError
from ingest.crawl.imagehash import hamming
from ingest.synth.adsite import build_ad_site, crawl_config_for, serve
from netzicht.errors import NetzichtError
from netzicht.service import Service
from netzicht.settings import Settings

SITE = "escortgids-b.example"
SITE_ADS = 60  # enough for pagination, obscured phones and shared photos; quick to crawl


def make_service(tmp_path: Path, name: str) -> Service:
    settings = Settings(store=f"sqlite:///{tmp_path / name}", data_dir=tmp_path / "data")
    return Service.open(settings=settings)


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def site_rows(ads_world: Path) -> list[dict[str, Any]]:
    rows = read_rows(ads_world / "ads" / "ads.jsonl")
    return [r for r in rows if r["site"] == SITE][:SITE_ADS]


def write_config(path: Path, base_url: str, **polite: Any) -> Path:
    config = crawl_config_for(
        SITE, base_url, polite={"delay_seconds": 0, "concurrency": 4, **polite}
    )
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture
def site(tmp_path: Path, ads_world: Path) -> tuple[Path, dict[str, Any]]:
    summary = build_ad_site(site_rows(ads_world), tmp_path / "site", seed=5, ads_per_page=15)
    return tmp_path / "site" / SITE, summary["truth"]


def test_crawl_recovers_every_ad_politely(
    tmp_path: Path, site: tuple[Path, dict[str, Any]], ads_world: Path
) -> None:
    root, truth = site
    requests: list[tuple[str, str]] = []
    with serve(root, requests=requests) as base:
        config = write_config(tmp_path / "site.yaml", base)
        summary = crawl_in_subprocess(config, tmp_path / "out.jsonl")
    rows = read_rows(tmp_path / "out.jsonl")
    expected = {f"OnlineAd:{SITE}|{r['ad_id']}" for r in site_rows(ads_world)}
    assert {f"OnlineAd:{r['site']}|{r['ad_id']}" for r in rows} == expected
    assert summary.new == len(expected) and summary.removed == 0
    assert summary.pages > len(expected)  # ad pages plus every listing page
    # Polite: robots.txt read first and obeyed, the crawler names itself on every request.
    paths = [p for p, _ in requests]
    assert paths[0] == "/robots.txt"
    assert not any(p.startswith("/private/") for p in paths)
    assert {ua for _, ua in requests} == {DEFAULT_USER_AGENT}
    # Phones come back in E.164, also where the page only shows an obscured form.
    by_uid = {f"OnlineAd:{r['site']}|{r['ad_id']}": r for r in rows}
    obscured = [uid for uid, t in truth.items() if t["shown_as"] not in ("plain", "none")]
    assert len(obscured) > 10
    for uid, t in truth.items():
        assert by_uid[uid].get("phone") == t["phone"], (uid, t["shown_as"])
    # Each ad's own copy of a photo hashes within a few bits of the other copies.
    by_key: dict[str, list[str]] = {}
    for uid, t in truth.items():
        for key in t["image_keys"]:
            by_key.setdefault(key, []).append(by_uid[uid]["image_hashes"].split()[0])
    for hashes in by_key.values():
        assert all(hamming(hashes[0], h) <= 4 for h in hashes)
    keys = list(by_key)
    assert all(
        hamming(by_key[a][0], by_key[b][0]) > 4 for a in keys[:20] for b in keys[:20] if a < b
    )


def test_crawl_is_incremental_and_marks_removed_ads(
    tmp_path: Path, site: tuple[Path, dict[str, Any]], ads_world: Path
) -> None:
    root, _ = site
    rows = site_rows(ads_world)
    with serve(root) as base:
        config = write_config(tmp_path / "site.yaml", base)
        first = crawl_in_subprocess(config, tmp_path / "out.jsonl")
        again = crawl_in_subprocess(config, tmp_path / "out.jsonl")
        assert again.unchanged == first.new and again.rows_written == 0
        assert again.images == 0, "unchanged ads reuse their image hashes"
        # The site changes: one ad taken down, one edited.
        changed = dict(rows[1], text=rows[1]["text"] + " Nu ook in het weekend.")
        build_ad_site([rows[0], changed, *rows[2:]][1:], tmp_path / "site", seed=5, ads_per_page=15)
        third = crawl_in_subprocess(config, tmp_path / "out.jsonl")
    out = {r["ad_id"]: r for r in read_rows(tmp_path / "out.jsonl")}
    assert (third.new, third.changed, third.removed) == (0, 1, 1)
    assert out[rows[0]["ad_id"]]["status"] == "removed"
    assert out[rows[1]["ad_id"]]["status"] == "changed"
    assert "weekend" in out[rows[1]["ad_id"]]["text"]
    assert out[rows[1]["ad_id"]]["first_seen"] <= out[rows[1]["ad_id"]]["last_seen"]


def test_page_cap_stops_the_crawl_and_nothing_is_marked_removed(
    tmp_path: Path, site: tuple[Path, dict[str, Any]]
) -> None:
    root, _ = site
    with serve(root) as base:
        config = write_config(tmp_path / "site.yaml", base)
        capped = crawl_in_subprocess(config, tmp_path / "out.jsonl", max_pages=5)
    assert capped.pages <= 5
    assert capped.truncated and capped.removed == 0
    assert 0 < capped.ads_seen < SITE_ADS
    assert capped.notes


def test_crawled_ads_ingest_and_cluster_by_controller(
    tmp_path: Path, site: tuple[Path, dict[str, Any]], ads_truth: dict[str, Any]
) -> None:
    root, _ = site
    with serve(root) as base:
        config = write_config(tmp_path / "site.yaml", base)
        crawl_in_subprocess(config, tmp_path / "out.jsonl")
    with make_service(tmp_path, "crawl.db") as svc:
        summary = svc.ingest([tmp_path / "out.jsonl"], "ads", "ads")
    assert summary.rows_quarantined == 0
    store = SQLiteStore(tmp_path / "crawl.db")
    try:
        ads = load_ads(store)
    finally:
        store.close()
    assert len(ads) == SITE_ADS
    controllers = {uid: ad["controller"] for uid, ad in ads_truth["ads"].items()}
    figures = purity(cluster_ads(ads).cluster_of, controllers)
    assert figures["purity"] >= 0.95
    assert figures["completeness"] >= 0.9


def test_config_errors_name_the_file_and_key() -> None:
    good = crawl_config_for(SITE, "http://127.0.0.1:1")
    with pytest.raises(CrawlConfigError, match=r"x.yaml: ad.fields: unknown key\(s\) colour"):
        parse_config({**good, "ad": {**good["ad"], "fields": {"colour": "p::text"}}}, "x.yaml")
    with pytest.raises(CrawlConfigError, match=r"named group"):
        parse_config({**good, "ad": {**good["ad"], "url_pattern": "/ad/"}}, "x.yaml")
    with pytest.raises(CrawlConfigError, match=r"invalid selector"):
        parse_config({**good, "listing": {"ad_links": "a[[["}}, "x.yaml")
    with pytest.raises(CrawlConfigError, match=r"user_agent"):
        parse_config({**good, "polite": {"user_agent": " "}}, "x.yaml")
    assert parse_config(good).polite.obey_robots  # polite by default


def test_a_broken_config_fails_the_crawl_with_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("site: x\nstart_urls: [ftp://nope]\nlisting: {ad_links: a}\nad: {}\n")
    with pytest.raises(NetzichtError, match=r"bad.yaml: start_urls"):
        crawl_in_subprocess(bad, tmp_path / "out.jsonl")
