"""Sources and data quality: ingest runs, rows per source, quarantined rows with reasons."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.state import service

st.title("Sources and data quality")
svc = service()
runs = svc.runs(limit=200)
if not runs:
    st.info("Nothing has been ingested yet: `netzicht ingest FILES --source NAME`.")
    st.stop()

table = pd.DataFrame(
    [
        {
            "run": r.run_id,
            "source": r.source,
            "mapping": r.mapping,
            "started": r.started,
            "finished": r.finished,
            "rows read": r.rows_read,
            "ingested": r.rows_ingested,
            "quarantined": r.rows_quarantined,
        }
        for r in runs
    ]
)
per_source = table.groupby("source")[["rows read", "ingested", "quarantined"]].sum()
per_source["quarantined %"] = (100 * per_source["quarantined"] / per_source["rows read"]).round(2)
st.subheader("Rows per source")
st.dataframe(per_source, width="stretch")
st.subheader("Ingest runs")
st.dataframe(table, hide_index=True, width="stretch")
st.download_button("Download runs (CSV)", table.to_csv(index=False), "ingest-runs.csv", "text/csv")

st.subheader("Quarantined rows")
run_ids = ["all runs"] + [r.run_id for r in runs if r.rows_quarantined]
chosen = st.selectbox("Run", run_ids, key="quarantine_run")
rows = svc.quarantine(None if chosen == "all runs" else chosen, limit=2000)
if rows:
    quarantine = pd.DataFrame(
        [
            {
                "file": q.file,
                "line": q.line,
                "field": q.field,
                "reason": q.reason,
                "row": str(q.row),
            }
            for q in rows
        ]
    )
    reasons = quarantine.groupby("reason").size().sort_values(ascending=False).rename("rows")
    st.bar_chart(reasons.head(15))
    st.dataframe(quarantine, hide_index=True, width="stretch")
    st.download_button(
        "Download quarantine (CSV)", quarantine.to_csv(index=False), "quarantine.csv", "text/csv"
    )
else:
    st.success("No quarantined rows in this run.")
