"""Regional trends: cases, signals, victims and active networks by region, month, phenomenon."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.state import service

st.title("Regional trends")
svc = service()
frame = data.trends()
if frame.empty:
    st.info("No dated cases or signals in the store yet.")
    st.stop()

kinds = {"case": "Cases", "signal": "Signals", "victim": "Victims"}
kind = st.radio("Count", list(kinds), format_func=kinds.get, horizontal=True, key="trend_kind")
c1, c2 = st.columns(2)
regions = sorted(frame["region"].unique())
phenomena = sorted(frame["phenomenon"].unique())
pick_regions = c1.multiselect("Regions", regions, key="trend_regions")
pick_phen = c2.multiselect("Phenomena", phenomena, key="trend_phenomena")
view = frame[frame["kind"] == kind]
if pick_regions:
    view = view[view["region"].isin(pick_regions)]
if pick_phen:
    view = view[view["phenomenon"].isin(pick_phen)]
view = view[view["month"] != "unknown"]
by_month = view.pivot_table(index="month", columns="region", values="count", aggfunc="sum").fillna(
    0
)
st.subheader(f"{kinds[kind]} per month and region")
st.line_chart(by_month)
by_phen = view.pivot_table(
    index="region", columns="phenomenon", values="count", aggfunc="sum"
).fillna(0)
st.subheader(f"{kinds[kind]} per region and phenomenon")
st.bar_chart(by_phen)
st.dataframe(by_phen.astype(int), width="stretch")

st.subheader("Active networks per region")
nets = svc.insight.networks()
active = pd.DataFrame(
    [
        {
            "region": region,
            "network": n.id,
            "size": n.size,
            "victims": n.victims,
            "last activity": n.last_activity,
        }
        for n in nets
        for region in n.regions
    ]
)
if not active.empty:
    if pick_regions:
        active = active[active["region"].isin(pick_regions)]
    st.bar_chart(active.groupby("region").size().rename("networks"))
    drill = st.selectbox(
        "Networks behind a region", sorted(active["region"].unique()), key="trend_drill"
    )
    st.dataframe(
        active[active["region"] == drill].sort_values("size", ascending=False),
        hide_index=True,
        width="stretch",
    )

st.subheader("Share with partners")
st.caption(
    "Exports are safe aggregates: cells below k are suppressed, with complementary "
    "suppression so totals cannot give them away (`netzicht share trends`)."
)
k = st.number_input("k (smallest published count)", 2, 100, 10, key="trend_k")
if st.button("Prepare export", key="trend_export"):
    table = svc.insight.safe_trends(kind, k=int(k))
    st.session_state["trend_export_csv"] = table.table.to_csv(index=False)
    st.session_state["trend_export_note"] = (
        f"{table.primary} small cells and {table.complementary} complementary cells suppressed"
    )
if "trend_export_csv" in st.session_state:
    st.caption(st.session_state["trend_export_note"])
    st.download_button(
        "Download safe table (CSV)",
        st.session_state["trend_export_csv"],
        f"trends-{kind}.csv",
        "text/csv",
    )
