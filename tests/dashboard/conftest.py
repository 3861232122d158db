"""Dashboard tests run the real pages with Streamlit's AppTest against a small synthetic store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from netzicht.ads_service import AdsService, ResolutionService
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import ingest_manifest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture(scope="session")
def dashboard_store(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("dash")
    uri = f"sqlite:///{folder / 'dash.db'}"
    with Service.open(settings=Settings(store=uri, data_dir=folder)) as svc:
        ingest_manifest(svc, synth_dir)
        ResolutionService.for_service(svc).resolve()
        AdsService.for_service(svc).analyse()
        svc.insight.run_analysis()
    return uri


@pytest.fixture
def app_env(dashboard_store: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    monkeypatch.setenv("NETZICHT_STORE", dashboard_store)
    monkeypatch.setenv("NETZICHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("NETZICHT_USERS_FILE", raising=False)
    monkeypatch.setenv("NETZICHT_ROLE", "admin")
    yield dashboard_store


def open_page(page: str, timeout: float = 90) -> AppTest:
    """Run the app, switch to one page, and fail on any exception the page raised."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def key_actors_html(at: AppTest) -> str:
    """The Networks page's key actors list (plain HTML, see dashboard/plainhtml.py)."""
    (actors,) = [h.value for h in at.html if "<ol>" in h.value and "score" in h.value]
    return actors


def key_actor_names(at: AppTest) -> list[str]:
    return [unescape(n) for n in re.findall(r"<strong>(.*?)</strong>", key_actors_html(at))]


def key_actor_uids(at: AppTest) -> list[str]:
    return [unescape(u) for u in re.findall(r"<code>(.*?)</code>", key_actors_html(at))]


def open_sortable_list(at: AppTest) -> None:
    """Open the Networks page's expander with all networks as a sortable table (its content
    runs only when open)."""
    at.session_state["net_table"] = True
    at.run()
    assert not at.exception, at.exception
