"""A running dashboard never shows what an erasure removed, whatever it had cached."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from netzicht import retention
from netzicht.service import Service
from netzicht.settings import Settings
from tests.dashboard.conftest import key_actor_uids, open_page


def copy_store(uri: str, folder: Path) -> str:
    """The shared test store, copied: this test erases someone from it."""
    target = folder / "copy.db"
    with sqlite3.connect(uri.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as out:
        source.backup(out)
    return f"sqlite:///{target}"


def test_an_erased_key_actor_disappears_from_an_open_dashboard(
    app_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = copy_store(app_env, tmp_path)
    monkeypatch.setenv("NETZICHT_STORE", uri)
    at = open_page("networks")
    uid = key_actor_uids(at)[0]
    settings = Settings(store=uri, data_dir=tmp_path / "data", role="admin")
    with Service.open(settings=settings) as svc:
        retention.erase(svc, uid)
    with Service.open(settings=settings) as svc:
        doc = svc.store.latest_result("analysis")
        assert doc is not None and uid not in str(doc[1]), "the stored analysis still names them"
    at.run()  # the same server process: its caches hold the network from before
    assert not at.exception, at.exception
    shown = key_actor_uids(at)
    assert uid not in shown, f"{uid} was erased but the open dashboard still lists them"
