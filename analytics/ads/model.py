"""Ads as the analysis sees them, read from a store or built from crawled rows.

An ad's phones are the ones the crawler or the ads mapping linked (LISTS → Phone) plus every
phone found in its title and text, obscured or not; the same for e-mail addresses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from analytics.ads.places import city_in_text
from graph_model.store.base import GraphStore
from ingest.crawl.extract import PhoneHit, find_age, find_emails, find_languages, find_phones


@dataclass(slots=True)
class Ad:
    uid: str
    site: str
    ad_id: str
    url: str = ""
    title: str = ""
    text: str = ""
    city: str | None = None
    posted: str | None = None  # ISO date
    stated_age: int | None = None
    price: float | None = None
    image_hashes: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phone_hits: tuple[PhoneHit, ...] = ()
    languages: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def obscured_phone(self) -> PhoneHit | None:
        return next((h for h in self.phone_hits if h.obscured), None)


def _hashes(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).lower() for v in value if v)
    return tuple(v.lower() for v in str(value).split() if v)


def enrich(ad: Ad, linked_phones: Iterable[str] = (), linked_emails: Iterable[str] = ()) -> Ad:
    """Fill phones, e-mail, age, city and languages from the text where the fields lack them."""
    body = f"{ad.title}\n{ad.text}"
    hits = tuple(find_phones(body))
    ad.phone_hits = hits
    ad.phones = tuple(dict.fromkeys([*linked_phones, *(h.number for h in hits)]))
    ad.emails = tuple(dict.fromkeys([*linked_emails, *find_emails(body)]))
    if ad.stated_age is None:
        ad.stated_age = find_age(body)
    if not ad.city:
        ad.city = city_in_text(body)
    ad.languages = tuple(find_languages(body))
    return ad


def ad_from_row(row: Mapping[str, Any]) -> Ad:
    """An Ad from a crawled or synthetic JSON Lines row (the ads mapping's columns)."""
    from ingest.normalise import normalise_email, normalise_phone

    site, ad_id = str(row.get("site", "")), str(row.get("ad_id", ""))
    phones: list[str] = []
    for raw in [row.get("phone"), *(row.get("phones") or [])]:
        if raw:
            # An obscured or broken field value raises; the text scan may still find it.
            with suppress(ValueError):
                phones.append(normalise_phone(str(raw)))
    emails: list[str] = []
    if row.get("email"):
        with suppress(ValueError):
            emails.append(normalise_email(str(row["email"])))
    age = row.get("stated_age")
    price = row.get("price")
    ad = Ad(
        uid=f"OnlineAd:{site}|{ad_id}",
        site=site,
        ad_id=ad_id,
        url=str(row.get("url") or ""),
        title=str(row.get("title") or ""),
        text=str(row.get("text") or ""),
        city=row.get("city") or None,
        posted=str(row["posted"])[:10] if row.get("posted") else None,
        stated_age=int(str(age)) if str(age or "").isdigit() else None,
        price=float(price) if isinstance(price, int | float) else None,
        image_hashes=_hashes(row.get("image_hashes")),
    )
    return enrich(ad, phones, emails)


def load_ads(store: GraphStore) -> list[Ad]:
    """Every OnlineAd in the store with its listed phones and e-mail addresses."""
    listed: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"Phone": [], "Email": []})
    for tie in store.iter_ties(types=["LISTS"]):
        label, _, value = tie.dst.partition(":")
        if label in ("Phone", "Email"):
            listed[tie.src][label].append(value)
    ads: list[Ad] = []
    for node in store.iter_nodes(["OnlineAd"]):
        p = node.properties
        age, price = p.get("stated_age"), p.get("price")
        ad = Ad(
            uid=node.uid,
            site=str(p.get("site", "")),
            ad_id=str(p.get("ad_id", "")),
            url=str(p.get("url") or ""),
            title=str(p.get("title") or ""),
            text=str(p.get("text") or ""),
            city=p.get("city"),
            posted=str(p["posted"])[:10] if p.get("posted") else node.first_seen,
            stated_age=int(age) if age is not None else None,
            price=float(price) if price is not None else None,
            image_hashes=_hashes(p.get("image_hashes")),
        )
        links = listed.get(node.uid, {"Phone": [], "Email": []})
        ads.append(enrich(ad, sorted(links["Phone"]), sorted(links["Email"])))
    return ads
