"""Networks: a ranked, filterable list; one network drawn with its key actors, a disruption
what-if, its activity over time and suggested hidden ties."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import data, plainhtml
from dashboard.state import service

LISTED = 25  # networks listed on the page; all of them are one click away as a sortable table

st.title("Networks")
svc = service()
nets = svc.insight.networks()
if not nets:
    st.info("No networks yet: run `netzicht analyze` (or `make demo`).")
    st.stop()

rows = pd.DataFrame(
    [
        {
            "network": n.id,
            "size": n.size,
            "victims": n.victims,
            "regions": ", ".join(n.regions),
            "agencies": ", ".join(n.agencies),
            "phenomena": ", ".join(n.phenomena),
            "last activity": n.last_activity,
            "growth": n.growth,
            "status": n.status,
        }
        for n in nets
    ]
)
f1, f2, f3 = st.columns(3)
regions = sorted({r for n in nets for r in n.regions})
phenomena = sorted({p for n in nets for p in n.phenomena})
pick_regions = f1.multiselect("Regions", regions, key="net_regions")
pick_phen = f2.multiselect("Phenomena", phenomena, key="net_phenomena")
min_size = f3.number_input("At least this many members", 1, 10_000, 3, key="net_min_size")
shown = rows[rows["size"] >= min_size]
if pick_regions:
    shown = shown[shown["regions"].apply(lambda v: any(r in v for r in pick_regions))]
if pick_phen:
    shown = shown[shown["phenomena"].apply(lambda v: any(p in v for p in pick_phen))]
# The first networks as a plain table, drawn at once; the whole list as a sortable, searchable
# table when asked for (the expander runs its content only when open), so that a page load does
# not start the data grid (see dashboard/plainhtml.py).
st.html(
    plainhtml.table(shown.head(LISTED).to_dict("records"), list(shown.columns), scroll_height=380)
)
if len(shown) > LISTED:
    st.caption(f"The first {LISTED} of {len(shown)} matching networks; all of them below.")
# A fixed label: a label that changed with the filters would close the table on every filter.
everything = st.expander(
    "All matching networks as a sortable table", key="net_table", on_change="rerun"
)
if everything.open:
    everything.dataframe(shown, hide_index=True, width="stretch")
# Downloads are built when clicked (Streamlit's deferred download), not on every page run: a
# page load then neither stores the files on the server nor makes the browser check them.
st.download_button(
    "Download this list (CSV)", partial(shown.to_csv, index=False), "networks.csv", "text/csv"
)

if shown.empty:
    st.stop()
network_id = st.selectbox("Open network", list(shown["network"]), key="net_open")
view = data.network_view(network_id)
net = view.network
st.header(f"Network {net.id}")
st.caption(
    f"{net.size} members · {net.victims} known victims · regions {', '.join(net.regions) or '—'}"
    f" · agencies {', '.join(net.agencies)} · active {net.first_activity or '?'} – "
    f"{net.last_activity or '?'} · {net.status}"
    + (f" (was {', '.join(net.came_from)})" if net.came_from else "")
)

colour_by = st.radio("Colour by", ["role", "community"], horizontal=True, key="net_colour")
drawing = data.network_drawing(network_id, colour_by)
if drawing.cut:
    st.warning(f"This network is too large to draw whole: {drawing.cut}.")
st.iframe(drawing.html, height=640)
st.caption(
    "Red: organiser · orange: key actors · blue: victims · size: organiser score · "
    "edges: blue calls, green meetings, red money, grey dashed shared artefacts"
)

left, right = st.columns(2)
with left:
    st.subheader("Key actors and why")
    st.html(plainhtml.key_actors(net.key_actors))
with right:
    st.subheader("Activity over time")
    if len(view.timeline):
        st.html(plainhtml.monthly_bars(view.timeline))
    else:
        st.caption("No dated observations in this network.")

st.subheader("Disruption what-if")
candidates = [m for m in view.members if m.role != "victim"]
d1, d2, d3 = st.columns(3)
strategy = d1.selectbox(
    "Strategy",
    ["betweenness", "organiser", "degree", "pagerank", "collective-influence", "set"],
    key="disrupt_strategy",
)
mode = d2.selectbox("Mode", ["sequential", "block"], key="disrupt_mode")
# A number input, not a slider: the slider measures its track by forcing a layout of the whole
# page while it first renders (~40 ms of the browser's main thread per page load, in a trace).
steps = d3.number_input(
    "People to remove",
    1,
    max(1, min(20, len(candidates))),
    min(5, len(candidates)),
    key="disrupt_steps",
)
people: list[str] = []
if strategy == "set":
    people = st.multiselect(
        "People to remove",
        [m.uid for m in candidates],
        format_func=lambda uid: next(m.name for m in view.members if m.uid == uid),
        key="disrupt_people",
    )
if st.button("Run what-if", key="disrupt_run") and (strategy != "set" or people):
    result = svc.insight.disrupt(
        strategy=strategy,
        mode=mode,
        steps=len(people) if people else steps,
        block_size=2 if mode == "block" else 1,
        network=network_id,
        people=people or None,
        save=False,
    )
    st.session_state["disruption"] = result.model_dump()
result_doc = st.session_state.get("disruption")
if result_doc and result_doc.get("network") == network_id:
    curve = pd.DataFrame(result_doc["curve"])
    st.line_chart(curve.set_index("removed")[["lcc_fraction"]])
    names = {m.uid: m.name for m in view.members}
    # A resolved person's records go together: name them once.
    curve["removed people"] = curve["removed_uids"].apply(
        lambda u: ", ".join(dict.fromkeys(names.get(x, x) for x in u))
    )
    st.dataframe(curve.drop(columns=["removed_uids"]), hide_index=True, width="stretch")
    last = curve.iloc[-1]
    st.success(
        f"After removing {int(last['removed'])} people the largest connected part holds "
        f"{last['lcc_fraction']:.0%} of the initial {result_doc['initial_lcc']}; "
        f"{int(last['components'])} parts; {int(last['victims_connected'])} victims still "
        "connected to an organiser."
    )
    gone = frozenset(uid for uids in result_doc["curve"] for uid in uids["removed_uids"])
    after = data.network_drawing(network_id, "part", removed=gone)
    st.markdown("**The network after removal**, each remaining part in its own colour")
    st.iframe(after.html, height=480)

st.subheader("Suggested hidden ties (leads)")
leads = data.leads(network_id, top=10)
if leads.leads:
    st.html(
        plainhtml.table(
            [
                {
                    "between": f"{x.a_name} — {x.b_name}",
                    "common neighbours": x.common_neighbours,
                    "Adamic–Adar": round(x.adamic_adar, 3),
                    "why": "; ".join(x.reasons),
                }
                for x in leads.leads
            ],
            ["between", "common neighbours", "Adamic–Adar", "why"],
        )
    )
else:
    st.caption("No likely hidden ties in this network.")

st.subheader("Downloads")
files = data.downloads(network_id)
c1, c2, c3 = st.columns(3)
c1.download_button(
    "Members (CSV)", lambda: files["members.csv"], f"{network_id}-members.csv", "text/csv"
)
c2.download_button("Ties (CSV)", lambda: files["ties.csv"], f"{network_id}-ties.csv", "text/csv")
c3.download_button(
    "Network (GraphML)", lambda: files["graphml"], f"{network_id}.graphml", "application/xml"
)
