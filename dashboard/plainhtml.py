"""Tables, lists and bar charts as plain HTML for `st.html`, for the Networks page.

A full page load of the Networks page re-boots Streamlit's front end, and everything on the page
shares the browser's main thread with the network drawing. Measured in chromium (CDP
Performance metrics and Chrome traces, `bench/dashboard.py`): an `st.dataframe`, `st.table` or
`st.bar_chart` makes the browser load and start the Arrow decoder and the data grid or Vega
first (about 0.4-0.8 s of browser CPU per page load here), and every `st.markdown` is parsed
by remark in the browser. A short table, a list or twelve bars as HTML are drawn at once. Long
tables that one sorts and searches stay `st.dataframe`, on demand.

Every text is escaped (`html.escape`), and Streamlit sanitises `st.html` again (DOMPurify): data
such as a name cannot add markup, a link or a request.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Protocol

import pandas as pd


class KeyActor(Protocol):
    name: str
    score: float
    reasons: list[str]
    uid: str


# Scoped to the classes below; colours that read on Streamlit's light and dark themes.
STYLE = (
    "<style>"
    ".nz-table{border-collapse:collapse;width:100%;font-size:0.875rem}"
    ".nz-table th,.nz-table td{border-bottom:1px solid rgba(128,128,128,0.3);"
    "padding:0.25rem 0.5rem;text-align:left;vertical-align:top}"
    ".nz-table th{font-weight:600}"
    ".nz-muted{font-size:0.8rem;opacity:0.75}"
    ".nz-scroll{overflow:auto;border:1px solid rgba(128,128,128,0.3);border-radius:0.5rem}"
    ".nz-scroll td,.nz-scroll th{white-space:nowrap}"
    "</style>"
)
BAR_HEIGHT = 160  # px of the tallest bar


def text(value: object) -> str:
    """`value` as escaped text; None and NaN as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return escape(str(value))


def table(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str], scroll_height: int | None = None
) -> str:
    """A table of `rows` with these `columns`. With `scroll_height` (px) the table scrolls
    inside a box of that height and cells do not wrap, as in a data
    grid: a long list then does not push what follows it (the drawing) far down the page."""
    head = "".join(f"<th>{text(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{text(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    html = f'<table class="nz-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    if scroll_height is None:
        return STYLE + html
    return f'{STYLE}<div class="nz-scroll" style="max-height:{int(scroll_height)}px">{html}</div>'


def key_actors(actors: Sequence[KeyActor]) -> str:
    """The key actors in rank order, each with score, reasons in words and record id."""
    if not actors:
        return "<p>No key actors in this network.</p>"
    items = "".join(
        f"<li><strong>{text(a.name)}</strong> — score {a.score:.3f}"
        f"<ul>{''.join(f'<li>{text(r)}</li>' for r in a.reasons)}</ul>"
        f'<span class="nz-muted"><code>{text(a.uid)}</code></span></li>'
        for a in actors
    )
    return f"{STYLE}<ol>{items}</ol>"


def monthly_bars(timeline: pd.DataFrame, value: str = "observations") -> str:
    """Bars of `value` per month (`timeline` has `month` as YYYY-MM and `value`), every month
    from the first to the last (months without any as empty bars), the count on hover."""
    counts = timeline.groupby("month")[value].sum()
    months = pd.period_range(min(counts.index), max(counts.index), freq="M").astype(str)
    counts = counts.reindex(months, fill_value=0)
    top = max(float(counts.max()), 1.0)
    bars = "".join(
        f'<div title="{text(month)}: {int(n):,} {text(value)}" style="flex:1 1 0;'
        f"height:{float(n) / top * BAR_HEIGHT:.1f}px;min-height:{1 if n else 0}px;"
        'background:#1c83e1;border-radius:2px 2px 0 0"></div>'
        for month, n in counts.items()
    )
    return (
        f'{STYLE}<div role="img" aria-label="{text(value)} per month, {text(months[0])} to '
        f'{text(months[-1])}"><div class="nz-muted">{text(value)} per month, at most '
        f"{int(top):,}</div>"
        f'<div style="display:flex;align-items:flex-end;gap:2px;height:{BAR_HEIGHT}px;'
        f'border-bottom:1px solid rgba(128,128,128,0.6)">{bars}</div>'
        '<div class="nz-muted" style="display:flex;justify-content:space-between">'
        f"<span>{text(months[0])}</span><span>{text(months[-1])}</span></div></div>"
    )
