"""Readable Markdown reports per network, with an SVG network figure and the disruption curves.

The figures are plain SVG written here (no plotting stack needed, opens in any browser and in
Markdown viewers). Node positions come from igraph's Fruchterman–Reingold layout (Fruchterman &
Reingold 1991, Softw. Pract. Exp. 21:1129), seeded, so the same run draws the same picture.
Victims are drawn as grey dots without names.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import igraph as ig
import numpy as np

from analytics.analysis import AnalysisResult, NetworkResult
from analytics.backend import seeded_igraph
from analytics.disruption import DisruptionResult
from analytics.projection import ActorGraph

SIZE = 560
COLOURS = ("#c0392b", "#2471a3", "#7d3c98", "#1e8449", "#b9770e")


def network_svg(actor: ActorGraph, net: NetworkResult, seed: int = 7) -> str:
    """The network's members and the ties between them; key actors red and named."""
    idx = np.array([actor.index[u] for u in net.members if u in actor.index], dtype=np.int64)
    pos = np.full(actor.n, -1, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    inside = (pos[actor.src] >= 0) & (pos[actor.dst] >= 0)
    edges = np.column_stack([pos[actor.src[inside]], pos[actor.dst[inside]]])
    weights = actor.weight[inside]
    graph = ig.Graph(n=len(idx), edges=edges.tolist())
    with seeded_igraph(seed):
        layout = np.array(graph.layout_fruchterman_reingold(weights=weights.tolist()).coords)
    if len(layout):
        span = np.ptp(layout, axis=0)
        layout = (layout - layout.min(axis=0)) / np.where(span > 0, span, 1)
        layout = 30 + layout * (SIZE - 60)
    key = {k.uid: rank for rank, k in enumerate(net.key_actors, start=1)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" font-family="sans-serif" font-size="11">',
        f'<rect width="{SIZE}" height="{SIZE}" fill="white"/>',
    ]
    for (a, b), w in zip(edges, weights, strict=True):
        (x1, y1), (x2, y2) = layout[a], layout[b]
        width = 0.5 + min(3.0, float(np.log1p(w)))
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="#aab7b8" stroke-width="{width:.2f}"/>'
        )
    for j, i in enumerate(idx):
        x, y = layout[j]
        uid = str(actor.people[i])
        if actor.victim[i]:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#bfc9ca"/>')
        elif uid in key:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#c0392b"/>')
            label = html.escape(f"{key[uid]}. {actor.names[i] or uid}")
            parts.append(f'<text x="{x + 11:.1f}" y="{y + 4:.1f}">{label}</text>')
        else:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#2471a3"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def curve_svg(curves: Sequence[DisruptionResult]) -> str:
    """LCC fraction against people removed, one line per strategy."""
    w, h, pad = 520, 300, 40
    most = max((c.curve[-1].removed for c in curves if c.curve), default=1) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="black"/>',
        f'<line x1="{pad}" y1="10" x2="{pad}" y2="{h - pad}" stroke="black"/>',
        f'<text x="{w / 2:.0f}" y="{h - 8}">people removed</text>',
        '<text x="4" y="20">LCC / initial</text>',
    ]
    for k, c in enumerate(curves):
        colour = COLOURS[k % len(COLOURS)]
        pts = " ".join(
            f"{pad + (w - pad - 10) * p.removed / most:.1f},"
            f"{h - pad - (h - pad - 10) * p.lcc_fraction:.1f}"
            for p in c.curve
        )
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{w - 170}" y="{20 + 14 * k}" fill="{colour}">'
            f"{html.escape(c.strategy)} ({html.escape(c.mode)})</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def network_markdown(net: NetworkResult, curves: Sequence[DisruptionResult], run_id: str) -> str:
    lines = [
        f"# Network {net.id}",
        "",
        f"Run `{run_id}`. {net.size} people ({net.victims} known or probable victims), "
        f"status {net.status}"
        + (f", growth {net.growth:+d} since the previous run" if net.growth is not None else "")
        + ".",
        "",
        f"- active: {net.first_activity or '?'} – {net.last_activity or '?'}",
        f"- phenomena: {', '.join(f'{k} ({v})' for k, v in net.phenomena.items()) or 'unknown'}",
        f"- regions: {', '.join(f'{k} ({v})' for k, v in net.regions.items()) or 'unknown'}",
        f"- sources: {', '.join(net.sources) or 'unknown'}; agencies: "
        f"{', '.join(net.agencies) or 'unknown'}",
        f"- cases: {len(net.cases)}; people by known role: "
        + ", ".join(f"{k} {v}" for k, v in net.roles.items()),
        "",
        f"![network {net.id}]({net.id}.svg)",
        "",
        "## Key actors",
        "",
        "| rank | name | organiser score | reasons |",
        "|---:|---|---:|---|",
    ]
    for rank, k in enumerate(net.key_actors, start=1):
        reasons = "; ".join(k.reasons).replace("|", "\\|")
        lines.append(f"| {rank} | {k.name} (`{k.uid}`) | {k.score:.3f} | {reasons} |")
    if curves:
        lines += [
            "",
            "## Disruption what-if",
            "",
            "Largest connected component relative to the start after removing people "
            "(Cavallaro et al. 2020 protocol; victims are never removed).",
            "",
            f"![disruption curves]({net.id}-disruption.svg)",
            "",
            "| strategy | mode | " + " | ".join(f"k={p.removed}" for p in curves[0].curve) + " |",
            "|---|---|" + "---:|" * len(curves[0].curve),
        ]
        for c in curves:
            lines.append(
                f"| {c.strategy} | {c.mode} | "
                + " | ".join(f"{p.lcc_fraction:.2f}" for p in c.curve)
                + " |"
            )
        first = curves[0]
        removed = [u for p in first.curve for u in p.removed_uids]
        if removed:
            lines += [
                "",
                f"Removed by {first.strategy} ({first.mode}): "
                + ", ".join(f"`{u}`" for u in removed),
            ]
    return "\n".join(lines) + "\n"


def write_report(
    out_dir: Path,
    analysis: AnalysisResult,
    actor: ActorGraph,
    networks: Sequence[NetworkResult],
    curves: dict[str, list[DisruptionResult]],
    seed: int = 7,
) -> list[Path]:
    """Write index.md and, per network, <id>.md, <id>.svg and <id>-disruption.svg."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = [
        f"# netzicht report — run `{analysis.run_id}`",
        "",
        f"{len(analysis.networks)} networks among {analysis.people} people "
        f"(backend {analysis.backend}, seed {analysis.seed}, resolution {analysis.resolution}).",
        "",
        "| network | size | victims | top key actor | report |",
        "|---|---:|---:|---|---|",
    ]
    for net in networks:
        (out_dir / f"{net.id}.svg").write_text(network_svg(actor, net, seed), encoding="utf-8")
        own = curves.get(net.id, [])
        if own:
            (out_dir / f"{net.id}-disruption.svg").write_text(curve_svg(own), encoding="utf-8")
        page = out_dir / f"{net.id}.md"
        page.write_text(network_markdown(net, own, analysis.run_id), encoding="utf-8")
        written.append(page)
        top = net.key_actors[0].name if net.key_actors else "—"
        index.append(f"| {net.id} | {net.size} | {net.victims} | {top} | [{net.id}]({net.id}.md) |")
    index_path = out_dir / "index.md"
    index_path.write_text("\n".join(index) + "\n", encoding="utf-8")
    return [index_path, *written]
