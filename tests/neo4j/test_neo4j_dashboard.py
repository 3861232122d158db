"""Every dashboard page on the Neo4j store: the same synthetic data, ingested and analysed
through the service into a real Neo4j, shown by the real pages (Streamlit AppTest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_model.store.neo4j import Neo4jStore
from ingest.synth import SynthConfig, generate
from netzicht.ads_service import AdsService, ResolutionService
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import ingest_manifest
from tests.dashboard.conftest import key_actor_names, open_page, open_sortable_list
from tests.neo4j.helpers import wipe

pytestmark = pytest.mark.neo4j

PAGES = ("overview", "networks", "search", "trends", "ads", "review", "sources", "audit")


@pytest.fixture(scope="module")
def neo4j_dashboard(neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An emptied Neo4j with a small synthetic dataset, resolved and analysed; its data dir."""
    synth = tmp_path_factory.mktemp("synth300")
    generate(SynthConfig(seed=11, scale=300), synth)
    folder = tmp_path_factory.mktemp("neo4j-dash")
    store = Neo4jStore(neo4j_uri)
    wipe(store)
    store.close()
    settings = Settings(store=neo4j_uri, data_dir=folder, role="admin")
    with Service.open(settings=settings) as svc:
        ingest_manifest(svc, synth)
        ResolutionService.for_service(svc).resolve()
        AdsService.for_service(svc).analyse()
        svc.insight.run_analysis()
        assert svc.insight.networks(), "the analysis found networks on Neo4j"
    return folder


@pytest.fixture
def neo4j_app_env(
    neo4j_uri: str, neo4j_dashboard: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("NETZICHT_STORE", neo4j_uri)
    monkeypatch.setenv("NETZICHT_DATA_DIR", str(neo4j_dashboard))
    monkeypatch.delenv("NETZICHT_USERS_FILE", raising=False)
    monkeypatch.setenv("NETZICHT_ROLE", "admin")
    yield neo4j_uri


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_neo4j_without_an_exception(neo4j_app_env: str, page: str) -> None:
    at = open_page(page)
    assert not at.error, [e.value for e in at.error]


def test_networks_page_lists_and_draws_networks_from_neo4j(neo4j_app_env: str) -> None:
    at = open_page("networks")
    assert key_actor_names(at), "the open network's key actors are listed"
    open_sortable_list(at)
    listing = at.dataframe[0].value
    assert len(listing) > 0 and (listing["size"] >= 3).all()
    assert any(h.value.startswith("Network ") for h in at.header)
    at.button(key="disrupt_run").click().run()
    assert not at.exception, at.exception


def test_search_page_finds_a_phone_on_neo4j(neo4j_app_env: str) -> None:
    at = open_page("search")
    at.text_input(key="search_query").input("+316").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert (table["kind"] == "Phone").any()
    assert any(s.value == "Sources (provenance)" for s in at.subheader)


def test_sources_page_accounts_for_every_row_on_neo4j(neo4j_app_env: str) -> None:
    at = open_page("sources")
    per_source = at.dataframe[0].value
    assert set(per_source.index) == {"police", "nla", "municipality", "care", "fiu", "ads"}
    assert (per_source["rows read"] == per_source["ingested"] + per_source["quarantined"]).all()
