"""The HTML page of a network drawing, for an iframe (`st.iframe` shows it as a srcdoc).

pyvis builds the network and renders it with the dashboard's template (templates/network.html:
the page pyvis 0.3.2 generated, reduced to what the dashboard uses); vis-network itself is
served once by the dashboard as a static file (dashboard/static/), so that each drawing carries
only its data (~0.35 MB for 500 people and 2,000 ties instead of ~1.3 MB), and the browser keeps
the library cached and compiled between page loads.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pyvis.network import Network

VIS = "vis-network-9.1.2"  # the build pyvis 0.3.2 ships, served from dashboard/static/
STATIC_DIR = Path(__file__).with_name("static")
TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "network.html"


@cache
def _inline_assets() -> str:
    css = (STATIC_DIR / VIS / "vis-network.css").read_text(encoding="utf-8")
    js = (STATIC_DIR / VIS / "vis-network.min.js").read_text(encoding="utf-8")
    return f"<style>{css}</style>\n<script>{js}</script>"


def _assets(url: str | None) -> str:
    """vis-network's stylesheet and script: from this server's static files, or inlined.

    Never from a CDN: air-gapped police networks cannot reach one, and must not try.
    """
    if url is None:
        return _inline_assets()
    base = f"{url.rstrip('/')}/{VIS}"
    return (
        f'<link rel="stylesheet" href="{base}/vis-network.css">\n'
        f'<script src="{base}/vis-network.min.js"></script>'
    )


def page(
    nodes: list[dict[str, object]],
    edges: list[dict[str, object]],
    options: dict[str, object],
    *,
    height: int,
    assets: str | None = None,
    loading_bar: bool = False,
) -> str:
    """A page drawing `nodes` and `edges` (vis-network items) with vis-network `options`,
    built as a pyvis `Network` and rendered by pyvis from dashboard/templates/network.html.

    `assets` is the URL under which dashboard/static/ is served (the dashboard serves it at
    /app/static): the page then only carries its data and the browser loads vis-network once
    and keeps it cached. With None the library is inlined (a page that works anywhere, ~0.7 MB).
    """
    # directed: pyvis's undirected mode only adds a duplicate check that costs O(edges²); the
    # drawing has one item per tie already and draws its arrows through `options`.
    net = Network(height=f"{height}px", width="100%", directed=True)
    for node in nodes:
        attributes = {k: v for k, v in node.items() if k != "id"}
        net.add_node(node["id"], **attributes)
    for edge in edges:
        attributes = {k: v for k, v in edge.items() if k not in ("from", "to")}
        net.add_edge(edge["from"], edge["to"], **attributes)
    net.options = options
    net.set_template_dir(str(TEMPLATES), TEMPLATE)
    net.templateEnv.globals.update(assets=_assets(assets), loading_bar=loading_bar)
    return str(net.generate_html())
