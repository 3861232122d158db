"""Who is using the dashboard.

Three ways, in this order:
1. OIDC through Streamlit's `st.login` when `.streamlit/secrets.toml` has an `[auth]` section;
   the signed-in e-mail is looked up in the users file for role and regions.
2. A local users file (`NETZICHT_USERS_FILE`) with hashed passwords, for the demo.
3. Neither: a single-user local install acting as the configured CLI identity (NETZICHT_USER,
   NETZICHT_ROLE), said plainly in the sidebar.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from netzicht.access import Identity
from netzicht.settings import get_settings
from netzicht.users import authenticate, identity_of, load_users

USERS_ENV = "NETZICHT_USERS_FILE"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own error type
        return False


def current_identity() -> Identity | None:
    """The signed-in identity, or None after drawing the login form (the page should stop)."""
    if "identity" in st.session_state:
        return st.session_state["identity"]
    users_file = os.environ.get(USERS_ENV)
    if _oidc_configured():
        if not st.user.is_logged_in:
            st.button("Sign in", on_click=st.login)
            return None
        email = str(st.user.get("email", ""))
        entry = load_users(Path(users_file)).get(email) if users_file else None
        if entry is None:
            st.error(f"{email} has no role in netzicht; ask an administrator.")
            return None
        st.session_state["identity"] = identity_of(email, entry)
        return st.session_state["identity"]
    if users_file:
        with st.form("login"):
            st.subheader("Sign in to netzicht")
            user = st.text_input("User", key="login_user")
            password = st.text_input("Password", type="password", key="login_password")
            submitted = st.form_submit_button("Sign in")
        if submitted:
            identity = authenticate(Path(users_file), user, password)
            if identity is None:
                st.error("Unknown user or wrong password.")
                return None
            st.session_state["identity"] = identity
            st.rerun()
        return None
    settings = get_settings()
    regions = tuple(r.strip() for r in settings.regions.split(","))
    st.session_state["identity"] = Identity(settings.user, settings.role, regions)
    return st.session_state["identity"]


def sign_out() -> None:
    st.session_state.pop("identity", None)
    if _oidc_configured():
        st.logout()
