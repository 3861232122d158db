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


def store_uri() -> str:
    return os.environ.get(STORE_ENV) or get_settings().store


@st.cache_resource(show_spinner=False)
def _service(uri: str) -> Service:
    return Service.open(uri)


def service() -> Service:
    """The service acting for the signed-in user of this session."""
    base = _service(store_uri())
    identity = st.session_state.get("identity")
    return base if identity is None else base.as_identity(identity)
