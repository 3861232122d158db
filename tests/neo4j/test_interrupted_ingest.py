"""An ingest that is interrupted can be run again and ends with exactly the graph of a clean run.

Two interruptions, both inside real transactions on the real server: a connection lost in the
middle of a batch (the driver retries the whole batch transaction), and a failure that stops the
run after some batches were committed (the run is then started again from the beginning).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import ServiceUnavailable

from graph_model.store.neo4j import Neo4jStore
from ingest.pipeline import ingest_paths
from ingest.synth import SynthConfig, generate
from netzicht.errors import StoreError
from tests.neo4j.helpers import graph_dump, wipe

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("interrupted")
    generate(SynthConfig(seed=5, scale=200), out)
    return out


def ingest_all(store: Neo4jStore, out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for e in manifest["exports"]:
        files = [out / f for f in e["files"]]
        ingest_paths(store, files, e["source"], e["mapping"], out / "q", batch_rows=250)


def failing_after(store: Neo4jStore, statements: int, error: Callable[[], Exception]) -> list[int]:
    """Make the store's `statements`-th merge statement raise `error()` once, mid-transaction."""
    calls = [0]
    original = store._run

    def run(tx: Any, name: str, parameters: Any = None, **slots: str) -> Any:
        if name.startswith("merge_"):
            calls[0] += 1
            if calls[0] == statements:
                original(tx, name, parameters, **slots)  # its work is rolled back with the tx
                raise error()
        return original(tx, name, parameters, **slots)

    store._run = run  # type: ignore[method-assign]
    return calls


@pytest.fixture(scope="module")
def clean(neo4j_uri: str, export: Path) -> dict[str, Any]:
    store = Neo4jStore(neo4j_uri)
    wipe(store)
    ingest_all(store, export)
    dump = graph_dump(store)
    store.close()
    return dump


def test_a_connection_lost_mid_batch_is_retried_to_the_same_graph(
    clean: dict[str, Any], neo4j_store: Neo4jStore, export: Path
) -> None:
    calls = failing_after(neo4j_store, 25, lambda: ServiceUnavailable("connection lost (test)"))
    ingest_all(neo4j_store, export)
    assert calls[0] > 25
    assert graph_dump(neo4j_store) == clean


def test_a_run_stopped_halfway_and_run_again_gives_the_same_graph(
    clean: dict[str, Any], neo4j_uri: str, neo4j_store: Neo4jStore, export: Path
) -> None:
    failing_after(neo4j_store, 35, lambda: RuntimeError("server stopped (test)"))
    with pytest.raises((StoreError, RuntimeError), match="server stopped"):
        ingest_all(neo4j_store, export)
    partial = graph_dump(neo4j_store)
    assert 0 < len(partial["nodes"]) < len(clean["nodes"])
    unfinished = [r for r in neo4j_store.runs() if r.finished is None]
    assert len(unfinished) == 1  # the stopped run is on record as never finished
    again = Neo4jStore(neo4j_uri)
    ingest_all(again, export)
    assert graph_dump(again) == clean
    again.close()
