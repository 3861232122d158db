"""One service per script run: shared by every read of the run, fresh for the next run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import streamlit as st

    from dashboard.state import begin_run, service

    begin_run()
    first = service()
    st.session_state.setdefault("runs", []).append((first, service()))


def test_a_run_shares_one_service_and_the_next_run_gets_a_new_one(app_env: str) -> None:
    at = AppTest.from_function(_page, default_timeout=60)
    at.run()
    at.run()
    assert not at.exception, at.exception
    (first, again), (second, _) = at.session_state["runs"]
    assert first is again, "every read of a run shares the run's service"
    # A new run reads the latest analysis afresh, so a new `netzicht analyze` shows up at once.
    assert second is not first and second.analytics is not first.analytics
    assert first.store is second.store, "the connection is shared by the whole process"
