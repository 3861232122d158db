"""Cached reads for the pages (server-side work stays small on reruns).

Keys include the store, the identity and the analysis run, so a new analysis or another user
never sees a stale or someone else's cached answer.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.state import service
from netzicht.network_view import NetworkView


def _key() -> tuple[str, str, str]:
    svc = service()
    latest = svc.analytics.latest_analysis()
    return (
        svc.store.uri,
        f"{svc.identity.user}/{svc.identity.role}",
        latest.run_id if latest else "",
    )


@st.cache_data(show_spinner="Drawing the network…", max_entries=64)
def _network_view(cache_key: tuple[str, str, str], network_id: str) -> NetworkView:
    return service().insight.network_view(network_id)


def network_view(network_id: str) -> NetworkView:
    return _network_view(_key(), network_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _trends(cache_key: tuple[str, str, str], since: str | None, until: str | None) -> Any:
    return service().insight.trends(since, until)


def trends(since: str | None = None, until: str | None = None) -> Any:
    return _trends(_key(), since, until)
