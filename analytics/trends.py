"""Trends: counts of cases, signals and victims per region, month and phenomenon.

Regional analysts follow phenomena per region over time (DOMAIN.md). A case counts in the month
it was opened, a signal in the month of its date; a victim counts once per (region, month,
phenomenon) of each case they are a victim in, or of each care-intake signal about them.
Region comes from the node's `region` property, else from its IN_REGION tie. Counts are
aggregates only — no identities leave this module.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import BaseModel

from analytics.projection import CARE_INTAKE, check_window
from graph_model.store.base import GraphStore

UNKNOWN = "unknown"


class TrendRow(BaseModel):
    kind: str  # case | signal | victim
    region: str
    month: str  # YYYY-MM or "unknown"
    phenomenon: str
    count: int


class Trends(BaseModel):
    since: str | None
    until: str | None
    rows: list[TrendRow]

    def total(self, kind: str) -> int:
        return sum(r.count for r in self.rows if r.kind == kind)


def _month(value: object) -> str:
    text = str(value or "")
    return text[:7] if len(text) >= 7 and text[4] == "-" else UNKNOWN


def _in_window(month: str, since: dt.date | None, until: dt.date | None) -> bool:
    if month == UNKNOWN:
        return since is None and until is None
    if since is not None and month < since.isoformat()[:7]:
        return False
    return not (until is not None and month > until.isoformat()[:7])


def compute_trends(
    store: GraphStore, since: dt.date | None = None, until: dt.date | None = None
) -> Trends:
    """Counts per (kind, region, month, phenomenon), months within [since, until]."""
    check_window(since, until)
    region_of: dict[str, str] = {}
    for tie in store.iter_ties(["IN_REGION"]):
        region_of.setdefault(tie.src, tie.dst.split(":", 1)[1])
    facts: dict[str, tuple[str, str, str]] = {}  # uid → (region, month, phenomenon)
    counts: Counter[tuple[str, str, str, str]] = Counter()
    intakes: set[str] = set()
    for label, kind, date_key in (("Case", "case", "opened"), ("Signal", "signal", "date")):
        for node in store.iter_nodes([label]):
            props = node.properties
            region = str(props.get("region") or region_of.get(node.uid) or UNKNOWN)
            fact = (region, _month(props.get(date_key)), str(props.get("phenomenon") or UNKNOWN))
            facts[node.uid] = fact
            if kind == "signal" and str(props.get("kind", "")).lower() == CARE_INTAKE:
                intakes.add(node.uid)
            if _in_window(fact[1], since, until):
                counts[(kind, *fact)] += 1
    victim_facts: set[tuple[str, str, str, str]] = set()
    for tie in store.iter_ties(["VICTIM_IN", "CONCERNS"]):
        if tie.type == "VICTIM_IN" and tie.dst in facts:
            victim_facts.add((tie.src, *facts[tie.dst]))
        elif tie.type == "CONCERNS" and tie.src in intakes and tie.dst.startswith("Person:"):
            victim_facts.add((tie.dst, *facts[tie.src]))
    for _, region, month, phenomenon in victim_facts:
        if _in_window(month, since, until):
            counts[("victim", region, month, phenomenon)] += 1
    rows = [
        TrendRow(kind=k, region=r, month=m, phenomenon=p, count=c)
        for (k, r, m, p), c in sorted(counts.items())
    ]
    return Trends(
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        rows=rows,
    )
