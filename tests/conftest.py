"""Shared fixtures: real SQLite files in tmp dirs and a small synthetic dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_model.store.sqlite import SQLiteStore
from ingest.synth import SynthConfig, generate
from netzicht.service import Service
from netzicht.settings import Settings

SMALL_SCALE = 600


@pytest.fixture(scope="session", autouse=True)
def local_keys(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pseudonym and vault keys for the session (the care mapping pseudonymises at ingest)."""
    from netzicht.keys import ensure_local_keys

    ensure_local_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    db = SQLiteStore(tmp_path / "store.db")
    yield db
    db.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=f"sqlite:///{tmp_path / 'svc.db'}", data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(SynthConfig(seed=11, scale=SMALL_SCALE), out)
    return out


def ingest_manifest(svc: Service, out: Path) -> list[dict[str, object]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    results = []
    for export in manifest["exports"]:
        summary = svc.ingest(
            [out / f for f in export["files"]], export["source"], export["mapping"]
        )
        results.append(summary.as_dict())
    return results


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
