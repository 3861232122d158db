"""Evidence-graded indicators: detect them in ads, score ads and clusters, explain every score.

The catalogue is data (`indicators.yaml`): each indicator has a weight, a direction and an
evidence grade. Only ``validated`` and ``contra`` indicators score by default; ``hypothesis``
indicators are shown as hypotheses and score only with ``include_hypotheses=True``; ``linking``
evidence (shared phone, image, circuit) says who runs ads, not whether they are trafficking,
and never scores. A score is the sum of the weights of the indicators found; a cluster's score
is the mean of its ads' scores (an indicator present in half the ads adds half its weight).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from analytics.ads.model import Ad
from ingest.normalise import fold_name
from netzicht.errors import SchemaError

INDICATORS_PATH = Path(__file__).with_name("indicators.yaml")
GRADES = ("validated", "contra", "hypothesis", "linking")
SCORING_GRADES = frozenset({"validated", "contra"})


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    grade: str
    direction: int
    weight: float
    patterns: tuple[re.Pattern[str], ...] = ()
    detector: str | None = None
    note: str = ""

    def scores(self, include_hypotheses: bool = False) -> bool:
        return self.grade in SCORING_GRADES or (include_hypotheses and self.grade == "hypothesis")


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    linking: dict[str, dict[str, str]]
    reference: str


@cache
def load_catalogue(path: Path = INDICATORS_PATH) -> Catalogue:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[Indicator] = []
    for key, spec in raw["indicators"].items():
        where = f"{path}: indicators.{key}"
        grade = spec.get("grade")
        if grade not in GRADES:
            raise SchemaError(f"{where}: grade must be one of {', '.join(GRADES)}, not {grade!r}")
        if spec.get("direction") not in (-1, 0, 1):
            raise SchemaError(f"{where}: direction must be -1, 0 or 1")
        if not spec.get("patterns") and not spec.get("detector"):
            raise SchemaError(f"{where}: needs `patterns` or a `detector`")
        if spec.get("detector") and spec["detector"] not in DETECTORS:
            raise SchemaError(f"{where}: unknown detector {spec['detector']!r}")
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("patterns") or ())
        except re.error as exc:
            raise SchemaError(f"{where}: bad pattern: {exc}") from exc
        out.append(
            Indicator(
                id=key,
                label=spec["label"],
                grade=grade,
                direction=int(spec["direction"]),
                weight=float(spec["weight"]),
                patterns=patterns,
                detector=spec.get("detector"),
                note=spec.get("note", ""),
            )
        )
    return Catalogue(tuple(out), raw.get("linking", {}), raw.get("reference", ""))


# -- computed detectors: (ad, context) -> evidence text or None ----------------------------------


def _obscured_phone(ad: Ad, ctx: dict[str, Any]) -> str | None:
    hit = ad.obscured_phone
    return None if hit is None else f"{hit.raw!r} ({', '.join(hit.how)})"


def _age_18_23(ad: Ad, ctx: dict[str, Any]) -> str | None:
    age = ad.stated_age
    return f"stated age {age}" if age is not None and 18 <= age <= 23 else None


def _many_languages(ad: Ad, ctx: dict[str, Any]) -> str | None:
    return ", ".join(ad.languages) if len(ad.languages) >= 3 else None


def _low_price(ad: Ad, ctx: dict[str, Any]) -> str | None:
    median = ctx.get("median_price", {}).get(ad.city) or ctx.get("median_price_all")
    if ad.price is None or not median:
        return None
    return f"€{ad.price:.0f} vs median €{median:.0f}" if ad.price <= 0.6 * median else None


DETECTORS = {
    "obscured_phone": _obscured_phone,
    "stated_age_18_23": _age_18_23,
    "many_languages": _many_languages,
    "low_price": _low_price,
}


def price_context(ads: Sequence[Ad]) -> dict[str, Any]:
    by_city: dict[str, list[float]] = {}
    prices = []
    for ad in ads:
        if ad.price is not None:
            prices.append(ad.price)
            if ad.city:
                by_city.setdefault(ad.city, []).append(ad.price)
    return {
        "median_price": {c: statistics.median(v) for c, v in by_city.items() if len(v) >= 5},
        "median_price_all": statistics.median(prices) if prices else None,
    }


def detect(ad: Ad, catalogue: Catalogue, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """The indicators found in one ad, each with the text that shows it."""
    body = fold_name(f"{ad.title}\n{ad.text}")
    hits: list[dict[str, Any]] = []
    for ind in catalogue.indicators:
        evidence: str | None = None
        if ind.detector is not None:
            evidence = DETECTORS[ind.detector](ad, ctx)
        else:
            for pattern in ind.patterns:
                m = pattern.search(body)
                if m is not None:
                    evidence = m.group(0)
                    break
        if evidence is not None:
            hits.append({"id": ind.id, "evidence": evidence})
    return hits


def score_ad(
    hits: list[dict[str, Any]], catalogue: Catalogue, include_hypotheses: bool = False
) -> tuple[float, list[str]]:
    by_id = {i.id: i for i in catalogue.indicators}
    score = 0.0
    reasons: list[str] = []
    for hit in hits:
        ind = by_id[hit["id"]]
        if ind.scores(include_hypotheses):
            score += ind.weight
            reasons.append(f"{ind.label} ({ind.grade}, {ind.weight:+.1f}): {hit['evidence']}")
        else:
            reasons.append(f"{ind.label} (hypothesis, not scored): {hit['evidence']}")
    return round(score, 3), reasons


def breakdown(
    ad_hits: Sequence[list[dict[str, Any]]], catalogue: Catalogue, include_hypotheses: bool = False
) -> tuple[float, list[dict[str, Any]], list[str]]:
    """Cluster score (mean over ads), per-indicator share and weight, and reasons in words."""
    n = len(ad_hits) or 1
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    for hits in ad_hits:
        for hit in {h["id"]: h for h in hits}.values():
            counts[hit["id"]] = counts.get(hit["id"], 0) + 1
            examples.setdefault(hit["id"], str(hit["evidence"]))
    rows: list[dict[str, Any]] = []
    score = 0.0
    reasons: list[str] = []
    for ind in catalogue.indicators:
        count = counts.get(ind.id, 0)
        if not count:
            continue
        share = count / n
        scored = ind.scores(include_hypotheses)
        contribution = round(ind.weight * share, 3) if scored else 0.0
        score += contribution
        rows.append(
            {
                "id": ind.id,
                "label": ind.label,
                "grade": ind.grade,
                "direction": ind.direction,
                "weight": ind.weight,
                "ads": count,
                "share": round(share, 3),
                "scored": scored,
                "contribution": contribution,
                "example": examples[ind.id],
                "note": ind.note,
            }
        )
        what = f"{ind.label} in {count} of {n} ads (e.g. {examples[ind.id]!r})"
        if scored:
            reasons.append(f"{what}: {ind.grade}, {contribution:+.2f}")
        elif ind.grade == "hypothesis":
            reasons.append(f"{what}: hypothesis, not scored")
    rows.sort(key=lambda r: (not r["scored"], -abs(r["contribution"]), r["id"]))
    return round(score, 3), rows, reasons
