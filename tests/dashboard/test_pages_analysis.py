"""Overview, networks, trends, ads, review and audit pages on an analysed synthetic store."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import (
    APP,
    key_actor_names,
    key_actors_html,
    open_page,
    open_sortable_list,
)


def test_overview_counts_and_largest_networks(app_env: str) -> None:
    at = open_page("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Networks"].replace(",", "")) > 0
    assert int(metrics["Known victims"].replace(",", "")) > 0
    largest = at.dataframe[0].value
    assert list(largest["size"]) == sorted(largest["size"], reverse=True)


def test_networks_page_draws_a_network_with_key_actors_and_runs_a_what_if(app_env: str) -> None:
    at = open_page("networks")
    assert not at.dataframe, "a page load starts no data grid: the list is plain HTML"
    assert any("<table" in h.value and "net-" in h.value for h in at.html), "networks listed"
    open_sortable_list(at)
    listing = at.dataframe[0].value
    assert len(listing) > 0 and (listing["size"] >= 3).all()
    assert any(h.value.startswith("Network ") for h in at.header)
    actors = key_actors_html(at)
    assert actors.count("score") >= 1, "key actors are listed with their scores"
    assert re.search(r"<ul><li>[^<]+</li>", actors), "every key actor shows reasons in words"
    assert any("per month" in h.value for h in at.html), "the activity over time is shown"
    at.button(key="disrupt_run").click().run()
    assert not at.exception, at.exception
    assert any("largest connected part" in s.value for s in at.success)
    assert any("network after removal" in m.value for m in at.markdown)


def test_networks_page_filters_by_region(app_env: str) -> None:
    at = open_page("networks")
    open_sortable_list(at)
    region = at.multiselect(key="net_regions").options[0]
    at.multiselect(key="net_regions").select(region).run()
    assert not at.exception, at.exception
    listing = at.dataframe[0].value
    assert listing["regions"].str.contains(region).all()


def test_trends_page_shows_counts_and_prepares_a_safe_export(app_env: str) -> None:
    at = open_page("trends")
    assert at.dataframe, "a region × phenomenon table is shown"
    at.button(key="trend_export").click().run()
    assert not at.exception, at.exception
    assert any("suppressed" in c.value for c in at.caption)


def test_ads_page_ranks_clusters_with_indicator_breakdown(app_env: str) -> None:
    at = open_page("ads")
    clusters = at.dataframe[1].value
    assert len(clusters) > 0
    assert list(clusters["score"]) == sorted(clusters["score"], reverse=True)
    assert any("why" in s.value for s in at.subheader)


def test_review_page_lists_suggested_merges_or_says_there_are_none(app_env: str) -> None:
    at = open_page("review")
    assert at.dataframe or any("Nothing to review" in i.value for i in at.info)


def test_audit_page_verifies_the_chain(app_env: str) -> None:
    at = open_page("audit")
    assert any("hash chain is intact" in s.value for s in at.success)


@pytest.mark.parametrize("role", ["analyst", "care_coordinator"])
def test_pseudonym_roles_see_no_search_page_and_no_names(
    app_env: str, role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETZICHT_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    at.switch_page("views/networks.py")
    at.run()
    assert not at.exception, at.exception
    names = key_actor_names(at)
    assert names and all(n.startswith("pseudonym ") for n in names)
    if role == "analyst":
        # The page is not in an analyst's navigation at all (and the service refuses it too).
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("views/search.py")
