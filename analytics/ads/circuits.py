"""Circuits: a phone number or an ad cluster that moves between cities over time.

Ads of one controller posted in city after city are the classic sign of a circuit (victims moved
around to meet demand and avoid attention). The research calls this strong evidence for *linking*
ads to one controller, not a trafficking label by itself (Lugo-Graulich et al. 2024), so a
circuit is shown with its path and never scores.

A path is the ads in date order with consecutive ads in one city merged into a stop
(city, first date, last date, ads). A circuit has at least ``min_cities`` distinct cities and at
least ``min_moves`` moves between stops.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from analytics.ads.model import Ad
from analytics.ads.places import region_of


def path_of(ads: Sequence[Ad]) -> list[dict[str, Any]]:
    dated = sorted((a for a in ads if a.posted and a.city), key=lambda a: (a.posted, a.uid))
    stops: list[dict[str, Any]] = []
    for ad in dated:
        if stops and stops[-1]["city"] == ad.city:
            stop = stops[-1]
            stop["last"] = ad.posted
            stop["ads"] += 1
        else:
            stops.append(
                {
                    "city": ad.city,
                    "region": region_of(ad.city),
                    "first": ad.posted,
                    "last": ad.posted,
                    "ads": 1,
                }
            )
    return stops


def find_circuits(
    ads: Sequence[Ad],
    cluster_of: Mapping[str, str],
    min_cities: int = 2,
    min_moves: int = 2,
) -> list[dict[str, Any]]:
    """Circuits per phone and per cluster, longest path first."""
    by_phone: dict[str, list[Ad]] = defaultdict(list)
    by_cluster: dict[str, list[Ad]] = defaultdict(list)
    for ad in ads:
        for phone in ad.phones:
            by_phone[phone].append(ad)
        by_cluster[cluster_of.get(ad.uid, ad.uid)].append(ad)
    out: list[dict[str, Any]] = []
    cluster_sets = {key: {a.uid for a in members} for key, members in by_cluster.items()}
    for kind, groups in (("phone", by_phone), ("cluster", by_cluster)):
        for key, members in groups.items():
            if len(members) < min_moves + 1:
                continue
            if kind == "phone":
                home = cluster_of.get(members[0].uid, members[0].uid)
                if {a.uid for a in members} == cluster_sets.get(home):
                    continue  # the same path as its cluster's: shown once, as the cluster
            stops = path_of(members)
            cities = sorted({s["city"] for s in stops})
            moves = max(len(stops) - 1, 0)
            if len(cities) < min_cities or moves < min_moves:
                continue
            regions = sorted({s["region"] for s in stops if s["region"]})
            out.append(
                {
                    "kind": kind,
                    "key": key,
                    "cluster": cluster_of.get(members[0].uid) if kind == "phone" else key,
                    "ads": len(members),
                    "cities": cities,
                    "regions": regions,
                    "moves": moves,
                    "first": stops[0]["first"],
                    "last": stops[-1]["last"],
                    "path": stops,
                    "reason": (
                        f"{kind} {key} moved {moves} times between {len(cities)} cities "
                        f"({', '.join(cities)}) from {stops[0]['first']} to {stops[-1]['last']}"
                    ),
                }
            )
    out.sort(key=lambda c: (-c["moves"], -len(c["cities"]), c["kind"], c["key"]))
    return out
