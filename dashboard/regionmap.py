"""A map of the ten police regions without map tiles: air-gapped networks cannot fetch tiles,
so each region is a point at its approximate centre, drawn on longitude and latitude axes.

Used for ad circuits: the stops of a phone or ad cluster moving between cities, joined in time
order, each stop at the centre of its police region and sized by its ads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

# Approximate centres (longitude, latitude) of the police regions (politie-eenheden), enough to
# place them relative to one another; not for distances.
REGION_CENTRES: dict[str, tuple[float, float]] = {
    "Noord-Nederland": (6.30, 53.10),
    "Oost-Nederland": (6.20, 52.20),
    "Midden-Nederland": (5.30, 52.20),
    "Noord-Holland": (4.80, 52.65),
    "Amsterdam": (4.90, 52.37),
    "Den Haag": (4.35, 52.05),
    "Rotterdam": (4.45, 51.85),
    "Zeeland-West-Brabant": (4.20, 51.50),
    "Oost-Brabant": (5.50, 51.60),
    "Limburg": (5.90, 51.10),
}
_LONGITUDES = (3.3, 7.3)
_LATITUDES = (50.7, 53.6)


def circuit_stops(path: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The stops of a circuit placed on the map, in time order; stops without a known region
    are left out (their city is still in the circuit's table)."""
    rows = [
        {
            "step": i + 1,
            "region": stop["region"],
            "city": stop["city"],
            "first": stop["first"],
            "ads": stop["ads"],
            "lon": REGION_CENTRES[stop["region"]][0],
            "lat": REGION_CENTRES[stop["region"]][1],
        }
        for i, stop in enumerate(path)
        if stop.get("region") in REGION_CENTRES
    ]
    return pd.DataFrame(rows, columns=["step", "region", "city", "first", "ads", "lon", "lat"])


def circuit_map(path: Sequence[dict[str, Any]]) -> alt.LayerChart:
    """Every region as a grey dot, the circuit's stops joined in time order on top."""
    regions = pd.DataFrame(
        [{"region": r, "lon": lon, "lat": lat} for r, (lon, lat) in REGION_CENTRES.items()]
    )
    stops = circuit_stops(path)
    x = alt.X("lon:Q", scale=alt.Scale(domain=_LONGITUDES), axis=None)
    y = alt.Y("lat:Q", scale=alt.Scale(domain=_LATITUDES), axis=None)
    base = alt.Chart(regions).encode(x=x, y=y)
    background = base.mark_circle(size=60, color="#dddddd") + base.mark_text(
        dy=-10, fontSize=10, color="#777777"
    ).encode(text="region:N")
    route = (
        alt.Chart(stops)
        .mark_line(color="#d73027", point=False, strokeWidth=2)
        .encode(x=x, y=y, order="step:Q")
    )
    points = (
        alt.Chart(stops)
        .mark_circle(color="#d73027", opacity=0.8)
        .encode(
            x=x,
            y=y,
            size=alt.Size("ads:Q", legend=None),
            tooltip=["step:Q", "city:N", "region:N", "first:N", "ads:Q"],
        )
    )
    # Taller than wide, as the country is at this latitude.
    return (background + route + points).properties(width=300, height=360)
