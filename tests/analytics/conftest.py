"""Fixtures for the analytics tests: small real SQLite stores and services on them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_model.store.sqlite import SQLiteStore
from netzicht.analytics_service import AnalyticsService
from netzicht.settings import Settings
from tests.analytics.builders import trafficking_ring, write


@pytest.fixture
def ring_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    """Two planted rings (A and B) with no tie between them."""
    a_nodes, a_edges = trafficking_ring("A")
    b_nodes, b_edges = trafficking_ring("B", source="nla")
    store = write(tmp_path / "rings.db", a_nodes + b_nodes, a_edges + b_edges)
    yield store
    store.close()


@pytest.fixture
def analytics(ring_store: SQLiteStore, tmp_path: Path) -> AnalyticsService:
    return AnalyticsService(ring_store, Settings(data_dir=tmp_path / "data", seed=7))
