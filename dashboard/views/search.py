"""Search and profiles: find by name, phone, IBAN, address or ad; expand hop by hop."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.graphview import DrawEdge, DrawNode, draw, tooltip
from dashboard.state import service, static_url

st.title("Search and profiles")
svc = service()

query = st.text_input(
    "Name, phone number, IBAN, postcode or ad",
    key="search_query",
    placeholder="e.g. 'de vries', '0612345678', 'NL91ABNA…', '1012JS'",
)
label_filter = st.multiselect(
    "Only these kinds",
    [
        "Person",
        "Phone",
        "BankAccount",
        "Address",
        "OnlineAd",
        "Organisation",
        "Case",
        "Email",
        "Signal",
    ],
    key="search_labels",
)
if query:
    hits = svc.search(query, labels=label_filter or None, limit=50)
    if not hits:
        st.info(f"Nothing found for “{query}”.")
    else:
        table = pd.DataFrame(
            [
                {
                    "uid": n.uid,
                    "kind": n.label,
                    "name": n.name,
                    "first seen": n.first_seen,
                    "last seen": n.last_seen,
                }
                for n in hits
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")
        st.session_state.setdefault("profile_uid", hits[0].uid)
        options = [n.uid for n in hits]
        current = st.session_state["profile_uid"]
        st.session_state["profile_uid"] = st.selectbox(
            "Open profile",
            options,
            index=options.index(current) if current in options else 0,
            format_func=lambda uid: next(
                f"{n.name or n.uid} ({n.label})" for n in hits if n.uid == uid
            ),
        )

uid = st.session_state.get("profile_uid")
if uid:
    profile = svc.profile(uid)
    if profile is None:
        st.warning("This record is no longer in the store.")
        st.stop()
    node = profile.node
    st.header(f"{node.name or node.uid}")
    st.caption(
        f"{node.label} · `{node.uid}` · first seen {node.first_seen or '—'} · "
        f"last seen {node.last_seen or '—'}"
    )
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Properties")
        st.json(node.properties, expanded=True)
        st.subheader("Sources (provenance)")
        st.dataframe(
            pd.DataFrame([s.model_dump() for s in node.sources]),
            hide_index=True,
            width="stretch",
        )
        if profile.scores:
            st.subheader("Scores and reasons")
            for line in profile.scores.get("reasons", []):
                st.markdown(f"- {line}")
            st.json({k: v for k, v in profile.scores.items() if k != "reasons"}, expanded=False)
        if profile.is_victim:
            st.info(
                f"Protected as a victim — {profile.victim_reason}. Never ranked as a key actor, "
                "never a disruption target or a lead."
            )
    with right:
        hops = st.slider("Hops", 1, 3, 1, key="profile_hops")
        limit = st.slider("At most this many nodes", 20, 500, 150, step=10, key="profile_limit")
        sub = svc.neighbourhood(uid, hops=hops, limit=limit)
        if sub.truncated:
            st.warning(
                f"The neighbourhood is larger than {limit} nodes; showing the first {limit}."
            )
        nodes = [
            DrawNode(
                id=n.uid,
                label=n.name or n.uid.split(":", 1)[1],
                group=(
                    "organiser"
                    if n.uid == uid
                    else ("person" if n.label == "Person" else "artefact")
                ),
                title=tooltip({"kind": n.label, "uid": n.uid, "name": n.name}),
                size=24 if n.uid == uid else 12,
            )
            for n in sub.nodes
        ]
        edges = [
            DrawEdge(
                e.src,
                e.dst,
                e.type,
                tooltip(
                    {
                        "type": e.type,
                        "observations": e.observations,
                        "first": e.first_seen,
                        "last": e.last_seen,
                    }
                ),
                e.weight,
            )
            for e in sub.edges
        ]
        drawing = draw(nodes, edges, height=520, assets=static_url())
        st.iframe(drawing.html, height=540)
        st.subheader("Linked records")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "type": e.type,
                        "from": e.src,
                        "to": e.dst,
                        "observations": e.observations,
                        "first": e.first_seen,
                        "last": e.last_seen,
                    }
                    for e in sub.edges
                ]
            ),
            hide_index=True,
            width="stretch",
        )
