"""A real Neo4j 5.26 (tools/neo4j, `make neo4j-start`) for the Neo4j store's tests.

The server is at NETZICHT_TEST_NEO4J (default bolt://127.0.0.1:7687). When it is not reachable
the tests skip, except in CI (CI set), where they fail: CI starts the server, so a missing one is
a broken build, not a reason to skip. Every test that takes `neo4j_store` starts from an empty
database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from graph_model.store.neo4j import Neo4jStore
from netzicht.errors import StoreError
from tests.neo4j.helpers import NEO4J_URI, wipe


def _unreachable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Neo4j not running at {NEO4J_URI} (CI must start it): {message}")
    pytest.skip(f"Neo4j not running at {NEO4J_URI}: make neo4j-start ({message})")


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    try:
        probe = Neo4jStore(NEO4J_URI, max_retry_seconds=5)
    except StoreError as exc:
        _unreachable(str(exc))
    probe.close()
    return NEO4J_URI


@pytest.fixture
def neo4j_store(neo4j_uri: str) -> Iterator[Neo4jStore]:
    store = Neo4jStore(neo4j_uri)
    wipe(store)
    yield store
    store.close()
