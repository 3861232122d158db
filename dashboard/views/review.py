"""Merge review: suggested entity-resolution merges to accept or reject, with reasons kept."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.state import service
from netzicht.ads_service import ResolutionService

st.title("Merge review")
svc = service()
resolution = ResolutionService.for_service(svc)
queue = resolution.review_queue(limit=200)
if not queue:
    st.info("Nothing to review. Run `netzicht resolve` to suggest merges of person records.")
    st.stop()

st.caption(
    f"{len(queue)} suggested merges. Accepting links two records as one person (SAME_AS); "
    "both records and their provenance stay visible, and a merge can be undone."
)
table = pd.DataFrame(
    [
        {
            "merge": m["id"],
            "record A": m["a_name"],
            "record B": m["b_name"],
            "score": m["score"],
            "evidence": ", ".join(m["evidence"]),
        }
        for m in queue
    ]
)
st.dataframe(table, hide_index=True, width="stretch")
merge_id = st.selectbox("Review", [m["id"] for m in queue], key="review_pick")
merge = next(m for m in queue if m["id"] == merge_id)
a, b = st.columns(2)
a.subheader(merge["a_name"])
a.caption(f"`{merge['a']}`")
a.json(merge["a_properties"])
b.subheader(merge["b_name"])
b.caption(f"`{merge['b']}`")
b.json(merge["b_properties"])
st.subheader("Evidence")
st.json(merge["evidence"])
reason = st.text_input("Reason (kept with the decision)", key="review_reason")
accept, reject = st.columns(2)
if accept.button("Accept merge", key="review_accept", disabled=not reason):
    resolution.accept(merge_id, reason)
    st.success(f"Accepted {merge_id}.")
    st.rerun()
if reject.button("Reject merge", key="review_reject", disabled=not reason):
    resolution.reject(merge_id, reason)
    st.success(f"Rejected {merge_id}.")
    st.rerun()
