"""Online ads: ad clusters (likely one controller) ranked by evidence-graded indicators,
circuits between cities over time, and the networks their phones feed."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.regionmap import circuit_map
from dashboard.state import service
from netzicht.ads_service import AdsService

st.title("Online ads")
svc = service()
ads = AdsService.for_service(svc)
if not svc.identity.may("read_personal"):
    st.info("Ad clusters show phone numbers; this role sees the indicator catalogue only.")
    clusters: list[dict[str, Any]] = []
else:
    clusters = ads.clusters(limit=200)

with st.expander("How ads are scored (evidence grades)", expanded=not clusters):
    catalogue = ads.catalogue()
    st.caption(catalogue["reference"])
    st.dataframe(pd.DataFrame(catalogue["indicators"]), hide_index=True, width="stretch")
    st.caption(
        "Validated indicators score; 'contra' ones are shown but do not raise a score; "
        "hypotheses are shown and score only when switched on. Shared phones and circuits "
        "link ads to one controller; they are not a trafficking label by themselves."
    )
if not clusters:
    if svc.identity.may("read_personal"):
        st.info("No ad analysis yet: `netzicht ads analyze`.")
    st.stop()

table = pd.DataFrame(
    [
        {
            "rank": c["rank"],
            "cluster": c["id"],
            "score": c["score"],
            "ads": c["size"],
            "phones": ", ".join(c["phones"]),
            "cities": ", ".join(c["cities"]),
            "first": c["first"],
            "last": c["last"],
        }
        for c in clusters
    ]
)
min_ads = st.slider("At least this many ads", 1, int(table["ads"].max()), 2, key="ads_min")
shown = table[table["ads"] >= min_ads]
st.dataframe(shown, hide_index=True, width="stretch")
st.download_button(
    "Download clusters (CSV)", shown.to_csv(index=False), "ad-clusters.csv", "text/csv"
)
if shown.empty:
    st.stop()

chosen = st.selectbox("Open cluster", list(shown["cluster"]), key="ads_open")
cluster = next(c for c in clusters if c["id"] == chosen)
st.header(str(cluster["label"]))
left, right = st.columns(2)
with left:
    st.subheader(f"Score {cluster['score']:.2f} — why")
    for reason in cluster["reasons"]:
        st.markdown(f"- {reason}")
    st.subheader("Indicator breakdown")
    st.dataframe(pd.DataFrame(cluster["indicators"]), hide_index=True, width="stretch")
    if cluster["hypotheses"]:
        st.caption("Hypotheses (shown, not scored)")
        st.dataframe(pd.DataFrame(cluster["hypotheses"]), hide_index=True, width="stretch")
    st.subheader("Linked through")
    for line in cluster["linking"]:
        st.markdown(f"- {line}")
with right:
    circuit = cluster.get("circuit")
    if circuit:
        st.subheader("Circuit")
        st.caption(circuit["reason"])
        path = pd.DataFrame(circuit["path"])
        st.scatter_chart(path, x="first", y="city", size="ads", color="region")
        st.caption("The same circuit on a map of the police regions, stops joined in time order")
        st.altair_chart(circuit_map(circuit["path"]), width="content")
    networks = svc.insight.networks_of_phones(cluster["phones"])
    st.subheader("Networks these phones feed")
    feeding = sorted({n for nets in networks.values() for n in nets})
    if feeding:
        st.markdown(", ".join(f"`{n}`" for n in feeding) + " — open them on the Networks page.")
    else:
        st.caption("No analysed network uses these phones (yet).")

st.subheader("All circuits")
circuits = ads.circuits(limit=100)
if circuits:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "kind": c["kind"],
                    "key": c["key"],
                    "ads": c["ads"],
                    "moves": c["moves"],
                    "cities": ", ".join(c["cities"]),
                    "regions": ", ".join(c["regions"]),
                    "first": c["first"],
                    "last": c["last"],
                }
                for c in circuits
            ]
        ),
        hide_index=True,
        width="stretch",
    )
