"""An ingest into Neo4j whose files are mapped by worker processes (ingest/parallel.py) gives
the graph a sequential ingest into SQLite gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_model.store.neo4j import Neo4jStore
from graph_model.store.sqlite import SQLiteStore
from ingest import parallel
from ingest.mapping import load_mapping
from ingest.pipeline import Ingestor, ingest_paths
from ingest.readers import open_table
from tests.test_ingest_parallel import PARALLEL

pytestmark = pytest.mark.neo4j


def test_workers_feed_neo4j_the_graph_one_process_gives_sqlite(
    neo4j_store: Neo4jStore, synth_dir: Path, tmp_path: Path
) -> None:
    manifest = json.loads((synth_dir / "manifest.json").read_text(encoding="utf-8"))
    lite = SQLiteStore(tmp_path / "lite.db")
    first = manifest["exports"][0]
    files = [synth_dir / f for f in first["files"]]
    probe = Ingestor(neo4j_store, load_mapping(first["mapping"]), "p", tmp_path / "p", **PARALLEL)
    table = open_table(files[0])
    spec = probe.mapping.file_for_header(table.header)
    assert spec is not None and parallel.workers_for(probe, table, spec) == 2
    for export in manifest["exports"]:
        files = [synth_dir / f for f in export["files"]]
        source, mapping = export["source"], export["mapping"]
        ingest_paths(neo4j_store, files, source, mapping, tmp_path / "q1", **PARALLEL)
        ingest_paths(lite, files, source, mapping, tmp_path / "q2", workers=1)
    assert neo4j_store.stats() == lite.stats()
    assert [n.model_dump() for n in neo4j_store.iter_nodes()] == [
        n.model_dump() for n in lite.iter_nodes()
    ]
    lines = sorted((q.file, q.line, q.reason) for q in lite.quarantine(limit=10_000))
    assert sorted((q.file, q.line, q.reason) for q in neo4j_store.quarantine(limit=10_000)) == lines
    lite.close()
