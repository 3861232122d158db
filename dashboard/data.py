"""Cached reads for the pages (server-side work stays small on reruns).

Keys include the store, the identity and the analysis run, so a new analysis or another user
never sees a stale or someone else's cached answer.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.graphview import Drawing, draw_network
from dashboard.state import service, static_url
from netzicht.network_view import NetworkView


def _key() -> tuple[str, str, str]:
    """The cache key of every read below: store, user and role, the analysis run, and the last
    erasure — a server that cached a view before an erasure must not show it after."""
    svc = service()
    run_id, erased = svc.analytics.version()
    return (svc.store.uri, f"{svc.identity.user}/{svc.identity.role}", f"{run_id}/{erased}")


# cache_resource, not cache_data: the view and the drawing are read-only, and handing out the
# same object avoids pickling a 500-node network on every rerun.
@st.cache_resource(show_spinner="Drawing the network…", max_entries=64)
def _network_view(cache_key: tuple[str, str, str], network_id: str) -> NetworkView:
    return service().insight.network_view(network_id)


def network_view(network_id: str) -> NetworkView:
    return _network_view(_key(), network_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def _network_drawing(
    cache_key: tuple[str, str, str],
    network_id: str,
    colour_by: str,
    assets: str | None,
    removed: frozenset[str] = frozenset(),
) -> Drawing:
    view = _network_view(cache_key, network_id)
    return draw_network(view, colour_by, assets=assets, removed=removed)


def network_drawing(
    network_id: str, colour_by: str, removed: frozenset[str] = frozenset()
) -> Drawing:
    """The network's drawing, cached per (store, user, analysis run, network, colouring and
    people removed by a what-if): a rerun or another visit neither lays it out nor builds its
    page again."""
    return _network_drawing(_key(), network_id, colour_by, static_url(), removed)


@st.cache_data(show_spinner=False, max_entries=16)
def _trends(cache_key: tuple[str, str, str], since: str | None, until: str | None) -> Any:
    return service().insight.trends(since, until)


def trends(since: str | None = None, until: str | None = None) -> Any:
    return _trends(_key(), since, until)


@st.cache_resource(show_spinner=False, max_entries=64)
def _leads(cache_key: tuple[str, str, str], network_id: str, top: int) -> Any:
    return service().insight.leads(network=network_id, top=top)


def leads(network_id: str, top: int = 10) -> Any:
    return _leads(_key(), network_id, top)


@st.cache_resource(show_spinner=False, max_entries=64)
def _downloads(cache_key: tuple[str, str, str], network_id: str) -> dict[str, str]:
    """The network's members and ties as CSV and GraphML, built once per analysis run."""
    import networkx as nx
    import pandas as pd

    view = _network_view(cache_key, network_id)
    members = pd.DataFrame(
        [
            {
                "uid": m.uid,
                "name": m.name,
                "role": m.role,
                "score": m.score,
                "reasons": " | ".join(m.reasons),
            }
            for m in view.members
        ]
    )
    ties = pd.DataFrame(
        [
            {
                "source": t.src,
                "target": t.dst,
                "type": t.type,
                "weight": t.weight,
                "why": " | ".join(t.reasons),
            }
            for t in view.ties
        ]
    )
    graph = nx.Graph()
    for m in view.members:
        graph.add_node(m.uid, name=m.name, role=m.role, score=m.score)
    for t in view.ties:
        graph.add_edge(t.src, t.dst, type=t.type, weight=t.weight)
    return {
        "members.csv": members.to_csv(index=False),
        "ties.csv": ties.to_csv(index=False),
        "graphml": "\n".join(nx.generate_graphml(graph)),
    }


def downloads(network_id: str) -> dict[str, str]:
    return _downloads(_key(), network_id)
