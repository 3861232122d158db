"""Overview: what is in the store, the largest and fastest-growing networks, the latest ingests."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.state import service

st.title("Overview")
svc = service()
overview = svc.insight.overview()

cols = st.columns(5)
cols[0].metric("Networks", f"{overview.networks:,}", help="From the latest analysis run")
cols[1].metric("People (records)", f"{overview.people:,}")
cols[2].metric("Known victims", f"{overview.victims:,}", help="VICTIM_IN a case, or a care intake")
cols[3].metric("Signals", f"{overview.signals:,}")
cols[4].metric("Sources", f"{overview.sources:,}")

if overview.analysis_run is None:
    st.info("No analysis yet: run `netzicht analyze` to find networks and key actors.")
else:
    st.caption(f"Latest analysis: `{overview.analysis_run}`")
    left, right = st.columns(2)
    with left:
        st.subheader("Largest networks")
        st.dataframe(pd.DataFrame(overview.largest), hide_index=True, width="stretch")
    with right:
        st.subheader("Fastest-growing networks")
        if overview.growing:
            st.dataframe(pd.DataFrame(overview.growing), hide_index=True, width="stretch")
        else:
            st.caption("Growth needs two analysis runs to compare.")

st.subheader("Latest ingests")
runs = svc.runs(limit=10)
st.dataframe(
    pd.DataFrame(
        [
            {
                "run": r.run_id,
                "source": r.source,
                "finished": r.finished,
                "rows read": r.rows_read,
                "quarantined": r.rows_quarantined,
            }
            for r in runs
        ]
    ),
    hide_index=True,
    width="stretch",
)
