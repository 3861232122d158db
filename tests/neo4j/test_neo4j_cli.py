"""The CLI against the Neo4j store: --store bolt://... works like sqlite:///..."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph_model.store.neo4j import Neo4jStore
from tests.conftest import write
from tests.test_ingest import generic_files

pytestmark = pytest.mark.neo4j


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netzicht", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_ingest_and_stats_through_the_cli(neo4j_store: Neo4jStore, tmp_path: Path) -> None:
    env = {"NETZICHT_DATA_DIR": str(tmp_path), "NETZICHT_NEO4J_USER": ""}
    files = [str(p) for p in generic_files(tmp_path)]
    result = run(
        "ingest", *files, "--source", "acme", "--store", neo4j_store.uri, "--json", env=env
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["rows_read"], summary["rows_quarantined"]) == (17, 9)
    stats = run("stats", "--json", env={**env, "NETZICHT_STORE": neo4j_store.uri})
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout) == {
        "nodes": neo4j_store.stats().nodes,
        "edges": neo4j_store.stats().edges,
    }
    assert json.loads(stats.stdout)["nodes"]["Person"] == 2


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    write(tmp_path / "x.csv", "id,type,name\n")
    result = run("stats", "--store", "bolt://127.0.0.1:1", env={"NETZICHT_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "cannot connect to Neo4j at bolt://127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr
