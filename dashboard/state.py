"""Connections and cached reads shared by the pages.

One `Service` per store URI for the whole server process (`st.cache_resource`), so a rerun never
opens a new connection; query results are cached per (store, arguments) with `st.cache_data`.
"""

from __future__ import annotations

import os

import streamlit as st

from netzicht.service import Service
from netzicht.settings import get_settings

STORE_ENV = "NETZICHT_STORE"
_RUN_SERVICE = "_netzicht_run_service"


def store_uri() -> str:
    return os.environ.get(STORE_ENV) or get_settings().store


@st.cache_resource(show_spinner=False)
def _service(uri: str) -> Service:
    return Service.open(uri)


def begin_run() -> None:
    """Called by app.py at the start of every script run: the run gets a fresh service."""
    st.session_state.pop(_RUN_SERVICE, None)


def service() -> Service:
    """The service acting for the signed-in user of this session, one per script run.

    Every read of a run shares it: the run reads the latest analysis and the projection settings
    once (the Networks page did so five times per run, 40% of its time), and a first visit
    projects the actor graph once for both the drawing and the leads. The next run starts afresh,
    so a new analysis shows up as soon as it is saved.
    """
    base = _service(store_uri())
    identity = st.session_state.get("identity") or base.identity
    held = st.session_state.get(_RUN_SERVICE)
    if held is not None and held.store is base.store and held.identity == identity:
        return held  # type: ignore[no-any-return]
    # Always a copy, even for the configured CLI identity: the shared base must never hold an
    # analytics service (its cached latest analysis would go stale for every later copy).
    svc = base.as_identity(identity)
    st.session_state[_RUN_SERVICE] = svc
    return svc


def static_url() -> str | None:
    """Where the browser finds dashboard/static/ (Streamlit's static file serving), or None
    when it is not served (the drawing then carries its library itself)."""
    if not st.get_option("server.enableStaticServing"):
        return None
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/app/static" if base else "/app/static"
