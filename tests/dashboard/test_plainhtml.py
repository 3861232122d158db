"""The Networks page's plain-HTML tables, key actor list and monthly bars."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from dashboard import plainhtml


@dataclass
class Actor:
    name: str
    score: float
    uid: str
    reasons: list[str] = field(default_factory=list)


EVIL = "<img src=http://example.invalid/x onerror=alert(1)> & </td></table><script>x</script>"


def test_a_table_shows_every_row_and_column_as_text() -> None:
    html = plainhtml.table(
        [{"network": "net-1", "size": 5, "growth": float("nan")}, {"network": EVIL, "size": 3}],
        ["network", "size", "growth"],
    )
    assert re.findall(r"<th>(.*?)</th>", html) == ["network", "size", "growth"]
    cells = re.findall(r"<td>(.*?)</td>", html)
    assert cells[:3] == ["net-1", "5", "—"], "a missing value is a dash"
    assert cells[4:] == ["3", "—"]
    assert (
        "<img" not in html
        and "<script>" not in html
        and "</table><" not in html.split("</tbody>")[0]
    )
    assert "&lt;img src=http://example.invalid/x onerror=alert(1)&gt; &amp;" in cells[3]


def test_key_actors_in_rank_order_with_reasons_and_record_id() -> None:
    html = plainhtml.key_actors(
        [
            Actor("A", 0.5, "Person:p:1", ["bridges 3 sub-groups", "pays the others"]),
            Actor(EVIL, 0.25, "Person:p:2", [EVIL]),
        ]
    )
    assert re.findall(r"<strong>(.*?)</strong>", html)[0] == "A"
    assert html.index("score 0.500") < html.index("score 0.250")
    assert "<li>bridges 3 sub-groups</li><li>pays the others</li>" in html
    assert "Person:p:1" in html
    assert "<img" not in html and "<script>" not in html
    assert "No key actors" in plainhtml.key_actors([])


def test_monthly_bars_cover_every_month_and_scale_to_the_largest() -> None:
    timeline = pd.DataFrame({"month": ["2024-01", "2024-04", "2024-03"], "observations": [2, 4, 1]})
    html = plainhtml.monthly_bars(timeline)
    titles = re.findall(r'title="([^"]*)"', html)
    assert titles == [
        "2024-01: 2 observations",
        "2024-02: 0 observations",  # a month without any is an empty bar, not left out
        "2024-03: 1 observations",
        "2024-04: 4 observations",
    ]
    heights = [float(h) for h in re.findall(r"height:([0-9.]+)px;min-height", html)]
    assert heights == [
        plainhtml.BAR_HEIGHT / 2,
        0.0,
        plainhtml.BAR_HEIGHT / 4,
        plainhtml.BAR_HEIGHT,
    ]
