"""Mapping in worker processes (ingest/parallel.py) builds exactly the graph a sequential
ingest builds, quarantines the same rows in the same order, and fails loudly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from graph_model.store.base import WriteBatch
from graph_model.store.sqlite import PreparedWrite, SQLiteStore
from ingest import parallel
from ingest.mapping import load_mapping
from ingest.pipeline import Ingestor, IngestSummary, ingest_paths
from ingest.readers import open_table
from tests.conftest import write
from tests.test_ingest import ENTITIES, RELATIONS

# Small chunks, so that every file of the small synth export is mapped in many chunks by both
# workers, and no file is too small to be mapped in workers; the first chunk shorter still.
PARALLEL = {"workers": 2, "batch_rows": 97, "first_batch_rows": 13, "parallel_min_bytes": 0}


def graph(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the graph, rows sorted, JSON properties as objects (their key order
    follows the order records arrived in, which chunking may change), ingest times left out."""
    db = sqlite3.connect(path)
    out = {
        "nodes": sorted(
            (uid, label, name, json.dumps(json.loads(props), sort_keys=True), search, first, last)
            for uid, label, name, props, search, first, last in db.execute(
                "SELECT uid, label, name, props, search, first_seen, last_seen FROM nodes"
            )
        ),
        "node_prov": sorted(db.execute("SELECT uid, source, record, seen FROM node_prov")),
        "edges": sorted(
            (eid, src, typ, dst, json.dumps(json.loads(props), sort_keys=True), first, last)
            for eid, src, typ, dst, props, first, last in db.execute("SELECT * FROM edges")
        ),
        "edge_obs": sorted(
            db.execute("SELECT edge, source, record, date, weight, amount FROM edge_obs")
        ),
        "local_ids": sorted(db.execute("SELECT * FROM local_ids")),
        "quarantine": list(
            db.execute("SELECT file, line, field, reason, row FROM quarantine ORDER BY rowid")
        ),
    }
    db.close()
    return out


def ingest_export(out: Path, store: SQLiteStore, quarantine: Path, **options: Any) -> list[Any]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summaries = []
    for export in manifest["exports"]:
        files = [out / f for f in export["files"]]
        summary = ingest_paths(
            store, files, export["source"], export["mapping"], quarantine, **options
        )
        summaries.append([{**f.as_dict(), "quarantine_file": None} for f in summary.files])
    return summaries


def quarantine_files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.rglob("*.jsonl"))}


def test_workers_build_the_same_graph_and_quarantine_as_one_process(
    synth_dir: Path, tmp_path: Path
) -> None:
    one = SQLiteStore(tmp_path / "one.db")
    many = SQLiteStore(tmp_path / "many.db")
    counts_one = ingest_export(synth_dir, one, tmp_path / "q1", workers=1)
    counts_many = ingest_export(synth_dir, many, tmp_path / "q2", **PARALLEL)
    one.close()
    many.close()
    assert counts_many == counts_one
    assert sum(f["rows_quarantined"] for files in counts_many for f in files) > 0
    assert graph(tmp_path / "many.db") == graph(tmp_path / "one.db")
    assert quarantine_files(tmp_path / "q2") == quarantine_files(tmp_path / "q1")


def test_workers_resolve_entity_ids_of_this_run_and_of_earlier_runs(tmp_path: Path) -> None:
    entities = write(tmp_path / "entities.csv", ENTITIES)
    relations = write(tmp_path / "relations.csv", RELATIONS)
    together = SQLiteStore(tmp_path / "together.db")
    ingest_paths(together, [relations, entities], "acme", "generic", tmp_path / "q1", **PARALLEL)
    apart = SQLiteStore(tmp_path / "apart.db")
    ingest_paths(apart, [entities], "acme", "generic", tmp_path / "q2", **PARALLEL)
    # A second run: the workers find the entity ids in the store, through their own connection.
    summary = ingest_paths(apart, [relations], "acme", "generic", tmp_path / "q2", **PARALLEL)
    assert (summary.rows_ingested, summary.rows_quarantined) == (4, 4)
    reference = SQLiteStore(tmp_path / "reference.db")
    ingest_paths(reference, [relations, entities], "acme", "generic", tmp_path / "q3", workers=1)
    for store in (together, apart, reference):
        store.close()
    expected = graph(tmp_path / "reference.db")
    for name in ("together.db", "apart.db"):
        got = graph(tmp_path / name)
        assert {k: v for k, v in got.items() if k != "quarantine"} == {
            k: v for k, v in expected.items() if k != "quarantine"
        }
    assert graph(tmp_path / "together.db")["quarantine"] == expected["quarantine"]


class _BrokenPrepare(SQLiteStore):
    """A store whose merge fails in the worker process, as a bug there would."""

    @staticmethod
    def prepare_write(batch: WriteBatch) -> PreparedWrite:
        raise ValueError("merge failed in a worker")


def test_an_error_in_a_worker_stops_the_ingest_with_its_message(tmp_path: Path) -> None:
    rows = "\n".join(f"p{i},Person,Person {i}" for i in range(500))
    path = write(tmp_path / "entities.csv", "id,type,name\n" + rows + "\n")
    store = _BrokenPrepare(tmp_path / "b.db")
    with pytest.raises(ValueError, match="merge failed in a worker"):
        ingest_paths(store, [path], "s", "generic", tmp_path / "q", **PARALLEL)
    store.close()
    assert SQLiteStore(tmp_path / "b.db").stats().nodes == {}


def test_a_file_that_defines_ids_and_refers_to_them_is_mapped_by_one_worker(
    tmp_path: Path,
) -> None:
    mapping = write(
        tmp_path / "self.yaml",
        "name: self\nfiles:\n  - kind: people\n    header: [id, friend]\n    record: '{id}'\n"
        "    nodes:\n      p: {label: Person, record: '{id}', local_id: id, required: true}\n"
        "    edges:\n      - {type: MET, from: p, to: {ref: friend}}\n",
    )
    path = write(tmp_path / "people.csv", "id,friend\na,b\nb,a\n")
    store = SQLiteStore(tmp_path / "s.db")
    ingestor = Ingestor(store, load_mapping(mapping), "s", tmp_path / "q", **PARALLEL)
    table = open_table(path)
    spec = ingestor.mapping.file_for_header(table.header)
    assert spec is not None
    assert parallel.workers_for(ingestor, table, spec) == 1
    summary: IngestSummary = ingestor.run([path])
    alone = SQLiteStore(tmp_path / "alone.db")
    expected = ingest_paths(alone, [path], "s", mapping, tmp_path / "q1", workers=1)
    assert summary.as_dict()["files"][0]["rows_ingested"] == expected.rows_ingested
    store.close()
    alone.close()
    assert graph(tmp_path / "s.db")["nodes"] == graph(tmp_path / "alone.db")["nodes"]


class _CountingIngestor(Ingestor):
    """Remembers how many input rows each batch (or worker chunk) it applies holds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    def _apply(self, run_id: str, chunk: Any, *args: Any) -> None:
        self.batches.append(chunk.rows_read)
        super()._apply(run_id, chunk, *args)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_files_first_batch_is_short_so_that_the_store_gets_work_early(
    tmp_path: Path, workers: int
) -> None:
    rows = "\n".join(f"p{i},Person,Person {i}" for i in range(250))
    path = write(tmp_path / "entities.csv", "id,type,name\n" + rows + "\n")
    store = SQLiteStore(tmp_path / "s.db")
    options = {"batch_rows": 100, "first_batch_rows": 30, "parallel_min_bytes": 0}
    ingestor = _CountingIngestor(
        store, load_mapping("generic"), "s", tmp_path / "q", workers=workers, **options
    )
    assert ingestor.run([path]).rows_ingested == 250
    assert ingestor.batches == [30, 100, 100, 20]
    assert store.stats().nodes == {"Person": 250}
    store.close()
