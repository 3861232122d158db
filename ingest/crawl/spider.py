"""The Scrapy spider that walks listing pages, reads ads and hashes their images.

Listing pages give ad links (only links matching the configured ad URL pattern are followed)
and the next page. An ad page gives the configured fields; its images are fetched one after
another and hashed (dHash) before the ad is emitted. An ad whose content and image URLs are
unchanged since the last crawl reuses its stored hashes instead of downloading the images again.
Only HTML pages count toward the page cap; a cut-short crawl never marks ads as removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from ingest.crawl.config import CrawlConfig
from ingest.crawl.extract import find_age, find_emails, find_phones, find_price
from ingest.crawl.imagehash import dhash
from ingest.crawl.state import CrawlState, content_hash


def _select(response: Response, selector: str) -> list[str]:
    found = response.xpath(selector) if selector.startswith(("/", "(")) else response.css(selector)
    return [s.strip() for s in found.getall() if s and s.strip()]


class AdSpider(scrapy.Spider):
    name = "netzicht-ads"

    def __init__(
        self, config: CrawlConfig, state: CrawlState, max_pages: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.state = state
        self.max_pages = max_pages
        self.allowed_domains = config.allowed_domains
        self.pages_requested = 0
        self.pages_fetched = 0
        self.images_fetched = 0
        self.truncated = False
        self.failed_listings = 0
        self.items: dict[str, dict[str, Any]] = {}
        self.image_cache: dict[str, str] = {}
        self.crawled_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    # -- requests ----------------------------------------------------------------------------

    def _page_request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request | None:
        if self.pages_requested >= self.max_pages:
            self.truncated = True
            return None
        self.pages_requested += 1
        return scrapy.Request(url, callback=callback, **kwargs)

    async def start(self) -> Any:  # Scrapy >= 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for url in self.config.start_urls:
            request = self._page_request(url, self.parse_listing, errback=self.listing_failed)
            if request is not None:
                yield request

    def listing_failed(self, failure: Failure) -> None:
        self.failed_listings += 1
        self.logger.warning("listing page failed: %s", failure.getErrorMessage())

    # -- listing pages -----------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        self.pages_fetched += 1
        for href in _select(response, self.config.ad_links):
            url = urljoin(response.url, href)
            match = self.config.ad_url_pattern.search(url)
            if match is None or match.group("ad_id") in self.items:
                continue
            request = self._page_request(url, self.parse_ad, cb_kwargs={"ad_id": match["ad_id"]})
            if request is not None:
                yield request
        if self.config.next_page:
            for href in _select(response, self.config.next_page)[:1]:
                request = self._page_request(
                    urljoin(response.url, href), self.parse_listing, errback=self.listing_failed
                )
                if request is not None:
                    yield request

    # -- ad pages ----------------------------------------------------------------------------

    def parse_ad(self, response: Response, ad_id: str) -> Iterator[Any]:
        self.pages_fetched += 1
        raw: dict[str, str] = {}
        for key, selector in self.config.fields.items():
            values = _select(response, selector)
            raw[key] = " ".join(values) if key == "text" else (values[0] if values else "")
        row = self._row(ad_id, response.url, raw)
        image_urls = (
            [urljoin(response.url, src) for src in _select(response, self.config.images)]
            if self.config.images
            else []
        )
        row["content_hash"] = content_hash(row, image_urls)
        known = self.state.known(ad_id)
        if (
            known is not None
            and known.get("content_hash") == row["content_hash"]
            and known.get("image_urls") == image_urls
        ):
            row["image_hashes"] = known.get("image_hashes", "")
            self._emit(row, image_urls)
            return
        row["image_urls"] = image_urls
        yield from self._next_image(row, image_urls, [])

    def _row(self, ad_id: str, url: str, raw: dict[str, str]) -> dict[str, Any]:
        text = raw.get("text", "")
        body = f"{raw.get('title', '')}\n{text}"
        phones = [h.number for h in find_phones(raw.get("phone", "").removeprefix("tel:"))]
        phones += [h.number for h in find_phones(body) if h.number not in phones]
        emails = find_emails(raw.get("email", "").removeprefix("mailto:")) + [
            e for e in find_emails(body)
        ]
        row: dict[str, Any] = {
            "site": self.config.site,
            "ad_id": ad_id,
            "url": url,
            "title": raw.get("title", ""),
            "text": text,
            "city": raw.get("city") or None,
            "posted": raw.get("posted") or None,
            "stated_age": find_age(raw.get("stated_age", "")) or find_age(body),
            "price": find_price(raw.get("price", "")),
            "phone": phones[0] if phones else None,
            "phones": phones,
            "email": emails[0] if emails else None,
        }
        if raw.get("region"):
            row["region"] = raw["region"]
        return row

    def _next_image(
        self, row: dict[str, Any], pending: list[str], hashes: list[str]
    ) -> Iterator[Any]:
        todo = list(pending)
        while todo and todo[0] in self.image_cache:
            hashes.append(self.image_cache[todo.pop(0)])
        if not todo:
            row["image_hashes"] = " ".join(hashes)
            self._emit(row, row["image_urls"])
            return
        url = todo[0]
        yield scrapy.Request(
            url,
            callback=self.parse_image,
            errback=self.image_failed,
            dont_filter=True,  # two ads may show one photo; each must get its hash
            cb_kwargs={"row": row, "pending": todo[1:], "hashes": hashes, "url": url},
        )

    def parse_image(
        self, response: Response, row: dict[str, Any], pending: list[str], hashes: list[str],
        url: str,
    ) -> Iterator[Any]:  # fmt: skip
        self.images_fetched += 1
        try:
            value = dhash(response.body)
        except Exception as exc:  # Pillow raises many types for an undecodable image
            self.logger.warning("cannot hash image %s: %s", url, exc)
        else:
            self.image_cache[url] = value
            hashes.append(value)
        yield from self._next_image(row, pending, hashes)

    def image_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        self.logger.warning("image failed: %s", failure.getErrorMessage())
        yield from self._next_image(kwargs["row"], kwargs["pending"], kwargs["hashes"])

    def _emit(self, row: dict[str, Any], image_urls: list[str]) -> None:
        row["image_urls"] = image_urls
        self.items[row["ad_id"]] = row
