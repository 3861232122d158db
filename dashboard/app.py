"""netzicht dashboard entry point: `netzicht dashboard [--store URI] [--port N]`.

Run by Streamlit; the pages live in dashboard/views/ and read only through the service layer.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import streamlit as st

# Server-side time of the whole run (sign-in, sidebar, page), for the dashboard benchmark and for
# administrators.
_started = time.perf_counter()

# Streamlit runs this file as a script; make the project importable when run from a checkout.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.auth import current_identity, sign_out  # noqa: E402
from dashboard.state import begin_run, store_uri  # noqa: E402

PAGES = Path(__file__).with_name("views")

begin_run()
st.set_page_config(page_title="netzicht", layout="wide")
# No icons: Streamlit fetches material-icon favicons from Google, which an air-gapped network
# must never try (the browser test checks that no request leaves the machine).

identity = current_identity()
if identity is None:
    st.stop()
st.sidebar.markdown("### netzicht")
st.sidebar.caption(f"store: `{store_uri()}`")
regions = "all regions" if identity.all_regions else ", ".join(identity.regions)
st.sidebar.caption(f"signed in as **{identity.user}** ({identity.role}; {regions})")
st.sidebar.button("Sign out", on_click=sign_out)

pages = [
    st.Page(str(PAGES / "overview.py"), title="Overview", default=True),
    st.Page(str(PAGES / "networks.py"), title="Networks"),
]
if identity.may("read_personal") or identity.may("read_protected"):
    pages.append(st.Page(str(PAGES / "search.py"), title="Search and profiles"))
pages += [
    st.Page(str(PAGES / "trends.py"), title="Regional trends"),
    st.Page(str(PAGES / "ads.py"), title="Online ads"),
]
if identity.may("read_personal"):
    pages.append(st.Page(str(PAGES / "review.py"), title="Merge review"))
pages.append(st.Page(str(PAGES / "sources.py"), title="Sources and data quality"))
if identity.may("audit_read"):
    pages.append(st.Page(str(PAGES / "audit.py"), title="Audit log"))
st.navigation(pages).run()
st.session_state["page_seconds"] = time.perf_counter() - _started
