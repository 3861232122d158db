"""Draw a subgraph with pyvis, fully offline (vis.js inlined; no CDN on air-gapped networks)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyvis.network import Network

MAX_DRAWN_NODES = 500
MAX_DRAWN_EDGES = 2000

ROLE_COLOURS = {
    "organiser": "#b2182b",
    "key actor": "#d6604d",
    "victim": "#4393c3",
    "suspect": "#f4a582",
    "artefact": "#bababa",
    "person": "#92c5de",
}
COMMUNITY_PALETTE = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    "#1f78b4", "#b15928",
)
EDGE_DASHES = {"CALLED": False, "MET": False, "TRANSFERRED_TO": False}
EDGE_COLOURS = {
    "CALLED": "#2166ac", "MET": "#1a9850", "TRANSFERRED_TO": "#d73027", "SHARED": "#999999",
}


@dataclass(frozen=True)
class DrawNode:
    id: str
    label: str
    title: str
    group: str  # role or community name, picks the colour
    size: float = 12.0
    community: int | None = None


@dataclass(frozen=True)
class DrawEdge:
    src: str
    dst: str
    type: str
    title: str
    weight: float = 1.0


@dataclass(frozen=True)
class Drawing:
    html: str
    nodes: int
    edges: int
    cut: str | None  # why the drawing is smaller than the network, if it is


def _cut(
    nodes: Sequence[DrawNode], edges: Sequence[DrawEdge], max_nodes: int, max_edges: int
) -> tuple[list[DrawNode], list[DrawEdge], str | None]:
    """Keep the largest nodes (by size, i.e. organiser score) and the heaviest edges."""
    note = None
    kept = list(nodes)
    if len(kept) > max_nodes:
        kept = sorted(kept, key=lambda n: (-n.size, n.id))[:max_nodes]
        note = f"showing the {max_nodes} highest-scoring of {len(nodes)} members"
    ids = {n.id for n in kept}
    inside = [e for e in edges if e.src in ids and e.dst in ids]
    if len(inside) > max_edges:
        inside = sorted(inside, key=lambda e: (-e.weight, e.src, e.dst))[:max_edges]
        note = (note + "; " if note else "") + f"the {max_edges} strongest ties"
    return kept, inside, note


def draw(
    nodes: Sequence[DrawNode],
    edges: Sequence[DrawEdge],
    *,
    colour_by: str = "role",
    height: int = 620,
    max_nodes: int = MAX_DRAWN_NODES,
    max_edges: int = MAX_DRAWN_EDGES,
    physics: bool = True,
) -> Drawing:
    kept, kept_edges, note = _cut(nodes, edges, max_nodes, max_edges)
    net = Network(
        height=f"{height}px", width="100%", directed=True, cdn_resources="in_line",
        bgcolor="#ffffff",
    )
    # Large drawings settle faster with fewer stabilisation iterations; the layout stays seeded.
    net.set_options(
        '{"physics": {"enabled": %s, "stabilization": {"iterations": %d}, '
        '"barnesHut": {"gravitationalConstant": -8000, "springLength": 120}}, '
        '"layout": {"randomSeed": 7}, "interaction": {"hover": true, "tooltipDelay": 80}, '
        '"edges": {"smooth": false}}'
        % ("true" if physics else "false", 150 if len(kept) > 150 else 300)
    )
    for n in kept:
        if colour_by == "community" and n.community is not None:
            colour = COMMUNITY_PALETTE[n.community % len(COMMUNITY_PALETTE)]
        else:
            colour = ROLE_COLOURS.get(n.group, "#92c5de")
        # Labels end up inside a <script> block: escape them so data can never close it.
        net.add_node(
            n.id, label=html.escape(n.label), title=n.title, color=colour, size=n.size,
            shape="dot" if n.group != "artefact" else "square",
        )
    for e in kept_edges:
        net.add_edge(
            e.src, e.dst, title=e.title, color=EDGE_COLOURS.get(e.type, "#999999"),
            width=min(1 + e.weight, 8), dashes=EDGE_DASHES.get(e.type, True),
        )
    return Drawing(net.generate_html(notebook=False), len(kept), len(kept_edges), note)


def tooltip(lines: Mapping[str, object]) -> str:
    """Plain-text hover text (pyvis shows `title` as text; escape anything from the data)."""
    return "\n".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in lines.items())
