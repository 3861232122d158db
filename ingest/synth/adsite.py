"""A static fixture ad site built from synthetic ads, for crawling on 127.0.0.1.

`build_ad_site(ads, out_dir, seed)` writes one directory per ad site: listing pages with
pagination, one page per ad, a robots.txt that forbids a trap page the listings link to, and
small generated PNG photos. The phone number is shown the way real ads hide it: sometimes as a
plain `tel:` link, often only inside the text, obscured ("O6 1234 5678", "nul zes …", digits
split by emoji). Each synthetic image key becomes one base picture; every ad gets its own
slightly altered copy (noise, brightness), so files differ while perceptual hashes stay within a
few bits. `serve(directory)` serves a site on 127.0.0.1 in a thread (tests, benches).

All content is synthetic.
"""

from __future__ import annotations

import html
import io
import json
import random
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ADS_PER_PAGE = 20
DIGIT_WORDS = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen")
EMOJI = ("🔥", "💋", "❤️", "✨", "🌹")


def _rows(ads: Iterable[Mapping[str, Any]] | Path | str) -> list[dict[str, Any]]:
    if isinstance(ads, str | Path):
        with open(ads, encoding="utf-8") as handle:
            out = []
            for line in handle:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
            return out
    return [dict(r) for r in ads]


def obscure_phone(rng: random.Random, e164: str) -> tuple[str, str]:
    """(how, text) — one of the ways ads write a Dutch mobile so it escapes search."""
    if not e164.startswith("+316"):
        return "plain", e164
    d = "06" + e164[4:]
    style = rng.randrange(6)
    if style == 0:
        return "mixed separators", f"{d[:2]}-{d[2:4]} {d[4:6]} {d[6:8]} {d[8:]}"
    if style == 1:
        return "letter O", f"O6 {d[2:6]} {d[6:]}"
    if style == 2:
        return "number words", " ".join(DIGIT_WORDS[int(c)] for c in d)
    if style == 3:
        mark = rng.choice(EMOJI)
        return "emoji", mark.join([d[:2], d[2:4], d[4:6], d[6:8], d[8:]])
    if style == 4:
        return "words between digits", " punt ".join([d[:2], d[2:4], d[4:6], d[6:8], d[8:]])
    return "plain", f"{d[:2]}-{d[2:]}"


def _phone_e164(raw: str) -> str | None:
    from ingest.normalise import normalise_phone

    try:
        return normalise_phone(raw)
    except ValueError:
        return None


def base_image(key: str) -> np.ndarray:
    """A 48×48 grey picture determined by an image key (smooth blobs, not noise)."""
    rng = np.random.default_rng(int(key[:16], 16) if key else 0)
    coarse = rng.integers(0, 256, size=(6, 6)).astype(np.float64)
    img = Image.fromarray(coarse.astype(np.uint8), "L").resize((48, 48), Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float64)


def ad_image(key: str, rng: random.Random) -> bytes:
    """This ad's copy of the picture: small noise and a brightness shift, PNG-encoded."""
    pixels = base_image(key)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, 2.0, pixels.shape)
    shifted = np.clip(pixels + noise + rng.uniform(-6, 6), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(shifted, "L").save(buffer, format="PNG")
    return buffer.getvalue()


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=nl><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


def build_ad_site(
    ads: Iterable[Mapping[str, Any]] | Path | str,
    out_dir: Path | str,
    seed: int = 7,
    ads_per_page: int = ADS_PER_PAGE,
) -> dict[str, Any]:
    """Write one static site per ad site in `out_dir/<site>/`; returns what was written.

    The returned ``truth`` maps each ad uid to the phone in E.164, how it was shown and the
    image key, so tests can check what a crawler recovers.
    """
    out = Path(out_dir)
    rows = [r for r in _rows(ads) if r.get("site") and r.get("ad_id")]
    by_site: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_site.setdefault(str(row["site"]), []).append(row)
    truth: dict[str, dict[str, Any]] = {}
    summary: dict[str, Any] = {"sites": {}, "truth": truth}
    for site, site_rows in sorted(by_site.items()):
        root = out / site
        (root / "ad").mkdir(parents=True, exist_ok=True)
        (root / "img").mkdir(parents=True, exist_ok=True)
        (root / "listing").mkdir(parents=True, exist_ok=True)
        (root / "private").mkdir(parents=True, exist_ok=True)
        (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
        (root / "private" / "ad").mkdir(parents=True, exist_ok=True)
        (root / "private" / "ad" / "TRAP.html").write_text(
            _page("privé", '<h1 class="title">robots.txt forbids this page</h1>'),
            encoding="utf-8",
        )
        current = {f"{r['ad_id']}.html" for r in site_rows}
        for stale in (root / "ad").glob("*.html"):
            if stale.name not in current:
                stale.unlink()  # an ad taken down
        pages = [site_rows[i : i + ads_per_page] for i in range(0, len(site_rows), ads_per_page)]
        for number, page_rows in enumerate(pages, start=1):
            # A link robots.txt forbids: a polite crawler never fetches it.
            items = ['<li class="ad"><a class="ad-link" href="/private/ad/TRAP.html">x</a></li>']
            for row in page_rows:
                ad_id = html.escape(str(row["ad_id"]))
                items.append(
                    f'<li class="ad"><a class="ad-link" href="/ad/{ad_id}.html">'
                    f"{html.escape(str(row.get('title', '')))}</a></li>"
                )
                # One generator per ad: rebuilding the site shows every ad the same way.
                ad_rng = random.Random(f"{seed}:{site}:{row['ad_id']}")
                truth[f"OnlineAd:{site}|{row['ad_id']}"] = _write_ad(root, row, ad_rng)
            nav = []
            if number > 1:
                prev_href = "/" if number == 2 else f"/listing/page-{number - 1}.html"
                nav.append(f'<a class="prev" href="{prev_href}">vorige</a>')
            if number < len(pages):
                nav.append(f'<a class="next" href="/listing/page-{number + 1}.html">volgende</a>')
            body = (
                f"<h1>{html.escape(site)} — pagina {number}</h1>\n<ul class=ads>\n"
                + "\n".join(items)
                + "\n</ul>\n<nav>"
                + " ".join(nav)
                + "</nav>"
            )
            target = root / "index.html" if number == 1 else root / f"listing/page-{number}.html"
            target.write_text(_page(f"{site} {number}", body), encoding="utf-8")
        for stale_page in (root / "listing").glob("page-*.html"):
            if int(stale_page.stem.split("-")[1]) > len(pages):
                stale_page.unlink()
        summary["sites"][site] = {"dir": str(root), "ads": len(site_rows), "pages": len(pages)}
    (out / "adsite-truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return summary


def _write_ad(root: Path, row: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    ad_id = str(row["ad_id"])
    e164 = _phone_e164(str(row.get("phone") or ""))
    how, shown = ("none", "") if e164 is None else obscure_phone(rng, e164)
    text = html.escape(str(row.get("text", "")))
    tel_link = ""
    if e164 is not None and how == "plain":
        tel_link = f'<p>Bel: <a class="phone" href="tel:{e164}">{html.escape(shown)}</a></p>'
    elif e164 is not None:
        text += f" Contact: {html.escape(shown)}"
    images = []
    keys = [k for k in str(row.get("image_hashes") or "").split() if k]
    for k, key in enumerate(keys):
        name = f"{ad_id}-{k}.png"
        (root / "img" / name).write_bytes(ad_image(key, rng))
        images.append(f'<img class="photo" src="/img/{name}" alt="foto">')
    fields = [
        f'<h1 class="title">{html.escape(str(row.get("title", "")))}</h1>',
        f'<div class="text">{text}</div>',
        f'<span class="city">{html.escape(str(row.get("city") or ""))}</span>',
        f'<time class="posted" datetime="{html.escape(str(row.get("posted") or ""))}">'
        f"{html.escape(str(row.get('posted') or ''))}</time>",
    ]
    if row.get("stated_age") is not None:
        fields.append(f'<span class="age">{int(row["stated_age"])} jaar</span>')
    if row.get("price") is not None:
        fields.append(f'<span class="price">€ {row["price"]},-</span>')
    body = "\n".join([*fields, tel_link, *images])
    (root / "ad" / f"{ad_id}.html").write_text(
        _page(str(row.get("title", ad_id)), body), encoding="utf-8"
    )
    return {"phone": e164, "shown_as": how, "image_keys": keys}


class _QuietHandler(SimpleHTTPRequestHandler):
    requests: list[tuple[str, str]] | None = None

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.requests is not None:
            self.requests.append((self.path, self.headers.get("User-Agent", "")))
        super().do_GET()


@contextmanager
def serve(
    directory: Path | str, port: int = 0, requests: list[tuple[str, str]] | None = None
) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (port 0: a free one) in a thread; yields the base URL.

    If `requests` is a list, every GET is appended to it as (path, user agent).
    """
    handler_class = type("_Handler", (_QuietHandler,), {"requests": requests})
    handler = partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def crawl_config_for(site: str, base_url: str, **overrides: Any) -> dict[str, Any]:
    """A crawl configuration for one fixture site served at `base_url`."""
    config: dict[str, Any] = {
        "name": site,
        "site": site,
        "start_urls": [base_url.rstrip("/") + "/"],
        "listing": {
            "ad_links": "a.ad-link::attr(href)",
            "next_page": "a.next::attr(href)",
        },
        "ad": {
            "url_pattern": r"/ad/(?P<ad_id>[^/]+)\.html$",
            "fields": {
                "title": "h1.title::text",
                "text": "div.text ::text",
                "city": "span.city::text",
                "posted": "time.posted::attr(datetime)",
                "stated_age": "span.age::text",
                "price": "span.price::text",
                "phone": "a.phone::attr(href)",
            },
            "images": "img.photo::attr(src)",
        },
    }
    config.update(overrides)
    return config
