"""Crawl configuration: one YAML file per site, validated when loaded.

```yaml
name: advertenties-a                  # names the state file
site: advertenties-a.example          # the `site` column of every ad (part of the ad's uid)
start_urls: ["https://advertenties-a.example/"]
listing:
  ad_links: "a.ad-link::attr(href)"   # CSS (or XPath if it starts with / or ( ) selectors
  next_page: "a.next::attr(href)"
ad:
  url_pattern: "/ad/(?P<ad_id>[^/]+)\\.html$"   # which links are ads; names the ad id
  fields: {title: "h1.title::text", text: "div.text ::text", phone: "a.phone::attr(href)"}
  images: "img.photo::attr(src)"
polite:                               # the defaults are polite; a site may only tighten them
  user_agent: "netzicht-crawler/0.1 (+https://github.com/netzicht; research crawler)"
  obey_robots: true
  delay_seconds: 1.0
  concurrency: 2
  max_pages: 1000
```

A mistake (unknown key, bad selector, a pattern without ``ad_id``) stops the crawl before any
request, with a message naming the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from netzicht.errors import MappingError

DEFAULT_USER_AGENT = (
    "netzicht-crawler/0.1 (+https://github.com/netzicht/netzicht; research crawler; "
    "synthetic test sites only by default)"
)
AD_FIELDS = frozenset(
    {"title", "text", "city", "posted", "stated_age", "price", "phone", "email", "region"}
)


class CrawlConfigError(MappingError):
    """A crawl configuration file is invalid; nothing was fetched."""


@dataclass(frozen=True)
class Politeness:
    user_agent: str = DEFAULT_USER_AGENT
    obey_robots: bool = True
    delay_seconds: float = 1.0
    concurrency: int = 2
    max_pages: int = 1000
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class CrawlConfig:
    name: str
    site: str
    start_urls: tuple[str, ...]
    ad_links: str
    next_page: str | None
    ad_url_pattern: re.Pattern[str]
    fields: dict[str, str]
    images: str | None
    polite: Politeness = field(default_factory=Politeness)
    path: str = "<dict>"

    @property
    def allowed_domains(self) -> list[str]:
        return sorted({urlparse(u).hostname or "" for u in self.start_urls})


def _check_selector(selector: str, where: str) -> None:
    try:
        if selector.startswith(("/", "(")):
            Selector(text="<html></html>").xpath(selector)
        else:
            HTMLTranslator().css_to_xpath(selector)
    except Exception as exc:  # parsel raises several types for a bad expression
        raise CrawlConfigError(f"{where}: invalid selector {selector!r}: {exc}") from None


def _known(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise CrawlConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(allowed))})"
        )


def parse_config(raw: dict[str, Any], path: str = "<dict>") -> CrawlConfig:
    if not isinstance(raw, dict):
        raise CrawlConfigError(f"{path}: a crawl configuration is a mapping")
    _known(raw, {"name", "site", "start_urls", "listing", "ad", "polite", "description"}, path)
    for key in ("site", "start_urls", "listing", "ad"):
        if key not in raw:
            raise CrawlConfigError(f"{path}: missing `{key}`")
    start_urls = raw["start_urls"]
    if isinstance(start_urls, str):
        start_urls = [start_urls]
    for url in start_urls:
        if urlparse(url).scheme not in ("http", "https"):
            raise CrawlConfigError(f"{path}: start_urls: {url!r} is not an http(s) URL")
    listing = raw["listing"] or {}
    _known(listing, {"ad_links", "next_page"}, f"{path}: listing")
    if "ad_links" not in listing:
        raise CrawlConfigError(f"{path}: listing.ad_links is required")
    for key, sel in listing.items():
        _check_selector(sel, f"{path}: listing.{key}")
    ad = raw["ad"] or {}
    _known(ad, {"url_pattern", "fields", "images"}, f"{path}: ad")
    try:
        pattern = re.compile(ad.get("url_pattern", ""))
    except re.error as exc:
        raise CrawlConfigError(f"{path}: ad.url_pattern: {exc}") from None
    if "ad_id" not in pattern.groupindex:
        raise CrawlConfigError(f"{path}: ad.url_pattern needs a named group (?P<ad_id>...)")
    fields = dict(ad.get("fields") or {})
    _known(fields, set(AD_FIELDS), f"{path}: ad.fields")
    for key, sel in fields.items():
        _check_selector(sel, f"{path}: ad.fields.{key}")
    if ad.get("images"):
        _check_selector(ad["images"], f"{path}: ad.images")
    polite_raw = dict(raw.get("polite") or {})
    _known(polite_raw, set(Politeness.__dataclass_fields__), f"{path}: polite")
    polite = Politeness(**polite_raw)
    if polite.max_pages < 1 or polite.concurrency < 1 or polite.delay_seconds < 0:
        raise CrawlConfigError(f"{path}: polite: max_pages and concurrency ≥ 1, delay ≥ 0")
    if not polite.user_agent.strip():
        raise CrawlConfigError(f"{path}: polite.user_agent must identify the crawler")
    return CrawlConfig(
        name=str(raw.get("name") or raw["site"]),
        site=str(raw["site"]),
        start_urls=tuple(start_urls),
        ad_links=listing["ad_links"],
        next_page=listing.get("next_page"),
        ad_url_pattern=pattern,
        fields=fields,
        images=ad.get("images"),
        polite=polite,
        path=path,
    )


def load_config(path: Path | str) -> CrawlConfig:
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CrawlConfigError(f"{p}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CrawlConfigError(f"{p}: not valid YAML: {exc}") from None
    return parse_config(raw, str(p))
