"""Audit (administrators): every read of personal data, export, re-identification and refusal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.state import service

st.title("Audit log")
svc = service()
result = svc.audit_verify()
if result.ok:
    st.success(f"The hash chain is intact: {result.entries:,} entries.")
else:
    st.error("The audit log has been altered: " + "; ".join(result.problems))
entries = svc.audit_entries(limit=2000)
table = pd.DataFrame(
    [
        {
            "seq": e.seq,
            "when": e.ts,
            "who": e.actor,
            "role": e.role,
            "action": e.action,
            "target": e.target,
            "purpose": e.purpose,
            "details": str(e.details),
        }
        for e in entries
    ]
)
actions = sorted(table["action"].unique()) if len(table) else []
chosen = st.multiselect("Actions", actions, key="audit_actions")
if chosen:
    table = table[table["action"].isin(chosen)]
st.dataframe(table.sort_values("seq", ascending=False), hide_index=True, width="stretch")
