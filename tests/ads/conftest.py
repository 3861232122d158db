"""Fixtures for the ad tests: a small synthetic world, its ads in a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_model.store.sqlite import SQLiteStore
from ingest.synth import SynthConfig, generate
from netzicht.service import Service
from netzicht.settings import Settings

ADS_SCALE = 900


@pytest.fixture(scope="session")
def ads_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ads-world")
    generate(SynthConfig(seed=13, scale=ADS_SCALE, malformed_share=0.0), out)
    return out


@pytest.fixture(scope="session")
def ads_truth(ads_world: Path) -> dict[str, Any]:
    return json.loads((ads_world / "truth.json").read_text(encoding="utf-8"))


def make_service(tmp_path: Path, name: str = "ads.db") -> Service:
    settings = Settings(store=f"sqlite:///{tmp_path / name}", data_dir=tmp_path / "data")
    return Service.open(settings=settings)


@pytest.fixture
def ads_store(tmp_path: Path, ads_world: Path) -> SQLiteStore:
    with make_service(tmp_path) as svc:
        summary = svc.ingest([ads_world / "ads" / "ads.jsonl"], "ads", "ads")
        assert summary.rows_quarantined == 0
    store = SQLiteStore(tmp_path / "ads.db")
    yield store
    store.close()
