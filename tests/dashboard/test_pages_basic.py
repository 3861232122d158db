"""Search, profiles and data quality pages, as an investigator and a data steward use them."""

from __future__ import annotations

from tests.dashboard.conftest import open_page


def test_search_finds_a_phone_written_differently_and_opens_its_profile(app_env: str) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("+316").run()
    assert not at.exception, at.exception
    assert at.dataframe, "a result table is shown"
    table = at.dataframe[0].value
    assert (table["kind"] == "Phone").any()
    headers = [h.value for h in at.header]
    assert headers, "a profile opens for the first hit"
    assert any(s.value == "Sources (provenance)" for s in at.subheader)


def test_search_without_hits_says_so(app_env: str) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("zzzz-no-such-thing").run()
    assert any("Nothing found" in i.value for i in at.info)


def test_sources_page_accounts_for_every_row(app_env: str) -> None:
    at = open_page("sources")
    per_source = at.dataframe[0].value
    assert set(per_source.index) == {"police", "nla", "municipality", "care", "fiu", "ads"}
    assert (per_source["rows read"] == per_source["ingested"] + per_source["quarantined"]).all()
    quarantine = at.dataframe[2].value
    assert len(quarantine) > 0 and quarantine["reason"].str.len().gt(0).all()
