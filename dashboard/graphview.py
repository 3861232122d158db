"""Draw a subgraph with vis-network, fully offline (no CDN on air-gapped networks): what is
drawn (cut to the strongest, laid out, coloured); the page itself is dashboard/vispage.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from dashboard.vispage import page
from netzicht.network_view import NetworkView

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
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#b15928",
)
EDGE_DASHES = {"CALLED": False, "MET": False, "TRANSFERRED_TO": False}
EDGE_COLOURS = {
    "CALLED": "#2166ac",
    "MET": "#1a9850",
    "TRANSFERRED_TO": "#d73027",
    "SHARED": "#999999",
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


LAYOUT_IN_SERVER_ABOVE = 120  # nodes; larger drawings get a precomputed layout, no physics
LOADING_BAR_ABOVE = 100  # nodes; smaller networks settle before anyone notices


def layout(
    nodes: Sequence[DrawNode], edges: Sequence[DrawEdge], seed: int = 7
) -> dict[str, tuple[float, float]]:
    """A seeded Fruchterman–Reingold layout (igraph's C core), scaled to canvas pixels.

    Computing positions here keeps the browser from running a force simulation for large
    networks, and the same network always looks the same.
    """
    import random

    import igraph as ig

    index = {n.id: i for i, n in enumerate(nodes)}
    graph = ig.Graph(n=len(nodes), edges=[(index[e.src], index[e.dst]) for e in edges])
    state = random.getstate()
    random.seed(seed)  # igraph draws its random numbers from Python's generator
    try:
        coords = graph.layout_fruchterman_reingold(niter=300)
    finally:
        random.setstate(state)
    scale = 40.0 * max(1.0, len(nodes) ** 0.5)
    xs = [c[0] for c in coords] or [0.0]
    ys = [c[1] for c in coords] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    return {
        n.id: ((coords[i][0] - min(xs)) / span * scale, (coords[i][1] - min(ys)) / span * scale)
        for i, n in enumerate(nodes)
    }


def draw(
    nodes: Sequence[DrawNode],
    edges: Sequence[DrawEdge],
    *,
    colour_by: str = "role",
    height: int = 620,
    max_nodes: int = MAX_DRAWN_NODES,
    max_edges: int = MAX_DRAWN_EDGES,
    physics: bool | None = None,
    assets: str | None = None,
) -> Drawing:
    """The drawing as one HTML page for an iframe; `assets` as for `vispage.page`."""
    kept, kept_edges, note = _cut(nodes, edges, max_nodes, max_edges)
    if physics is None:
        physics = len(kept) <= LAYOUT_IN_SERVER_ABOVE
    positions = {} if physics else layout(kept, kept_edges)
    index = {n.id: i for i, n in enumerate(kept)}
    node_data = []
    for n in kept:
        if colour_by == "community" and n.community is not None:
            colour = COMMUNITY_PALETTE[n.community % len(COMMUNITY_PALETTE)]
        else:
            colour = ROLE_COLOURS.get(n.group, "#92c5de")
        # Ids are positions in this drawing: shorter than uids, and no record id reaches the
        # page (pseudonym roles see masked names only).
        item: dict[str, object] = {
            "id": index[n.id],
            "label": n.label or n.id,
            "title": n.title,
            "color": colour,
            "size": n.size,
        }
        if n.group == "artefact":
            item["shape"] = "square"  # every other node is a dot (the default below)
        if n.id in positions:
            item["x"], item["y"] = positions[n.id]
        node_data.append(item)
    edge_data = []
    for e in kept_edges:
        item = {
            "from": index[e.src],
            "to": index[e.dst],
            "title": e.title,
            "color": EDGE_COLOURS.get(e.type, "#999999"),
            "width": min(1 + e.weight, 8),
        }
        if EDGE_DASHES.get(e.type, True):
            item["dashes"] = True
        edge_data.append(item)
    options = {
        "physics": {
            "enabled": physics,
            "stabilization": {"iterations": 300},
            "barnesHut": {"gravitationalConstant": -8000, "springLength": 120},
        },
        "layout": {"randomSeed": 7},  # the same network always settles the same way
        "interaction": {"hover": True, "tooltipDelay": 80},
        "nodes": {"shape": "dot"},
        "edges": {"smooth": False, "arrows": "to"},
    }
    html = page(
        node_data,
        edge_data,
        options,
        height=height,
        assets=assets,
        loading_bar=physics and len(kept) > LOADING_BAR_ABOVE,
    )
    return Drawing(html, len(kept), len(kept_edges), note)


def tooltip(lines: Mapping[str, object]) -> str:
    """Hover text. Safe with any data: the page embeds it as escaped JSON and vis-network shows
    a string title as text, not HTML."""
    return "\n".join(f"{k}: {v}" for k, v in lines.items())


def draw_network(
    view: NetworkView,
    colour_by: str = "role",
    assets: str | None = None,
    removed: frozenset[str] = frozenset(),
) -> Drawing:
    """A network as the Networks page shows it: colour by role or sub-group, size by score.

    With `removed` (a disruption what-if), the network after removal: those people and their
    ties are gone, and `colour_by="part"` colours what is left by connected part, largest first.
    """
    members = [m for m in view.members if m.uid not in removed]
    ties = [t for t in view.ties if t.src not in removed and t.dst not in removed]
    communities: dict[str, int] = {}
    if colour_by in ("community", "part"):
        graph = nx.Graph()
        graph.add_nodes_from(m.uid for m in members)
        graph.add_weighted_edges_from((t.src, t.dst, t.weight) for t in ties)
        if colour_by == "part":
            groups = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
        else:
            groups = nx.community.louvain_communities(graph, seed=7)
        for i, group in enumerate(groups):
            for uid in group:
                communities[uid] = i
    max_score = max((m.score for m in view.members), default=1.0) or 1.0
    nodes = [
        DrawNode(
            id=m.uid,
            label=m.name,
            group=m.role,
            title=tooltip(
                {
                    "name": m.name,
                    "role": m.role,
                    "organiser score": f"{m.score:.3f}",
                    "rank": m.rank,
                    **{f"reason {i + 1}": r for i, r in enumerate(m.reasons[:3])},
                }
            ),
            size=10 + 30 * (0 if m.role == "victim" else m.score / max_score),
            community=communities.get(m.uid),
        )
        for m in members
    ]
    edges = [
        DrawEdge(
            t.src,
            t.dst,
            t.type,
            tooltip(
                {
                    "tie": t.type,
                    "weight": round(t.weight, 2),
                    **{f"why {i + 1}": r for i, r in enumerate(t.reasons)},
                }
            ),
            t.weight,
        )
        for t in ties
    ]
    return draw(nodes, edges, colour_by="community" if communities else colour_by, assets=assets)
