"""Hostile names and ids are stored literally and change nothing else."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from graph_model.store.neo4j import Neo4jStore
from graph_model.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_paths
from tests.conftest import write
from tests.neo4j.helpers import run_test_statement

pytestmark = pytest.mark.neo4j

HOSTILE = [
    "x' }) MATCH (n) DETACH DELETE n //",
    'x" }) MATCH (n) DETACH DELETE n //',
    "`) MATCH (n) DETACH DELETE n //",
    "MATCH (n) DETACH DELETE n",
    "{{label}} {uid: 'a'}",
    "$rows",
    "}]->(x) DELETE r //",
    "Robert'); DROP TABLE nodes;--",
    "back\\slash \\u0027 quote'",
]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def test_hostile_names_and_ids_are_stored_literally(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    sentinel = write(tmp_path / "entities.csv", "id,type,name\nkeep,Person,Sentinel\n")
    ingest_paths(neo4j_store, [sentinel], "s", "generic", tmp_path / "q")
    (tmp_path / "h").mkdir()
    entities = [["id", "type", "name"]] + [
        [f"id-{i}-{text}", "Organisation" if i % 2 else "Person", f"Name {text}"]
        for i, text in enumerate(HOSTILE)
    ]
    relations = [["source", "target", "type", "date"]] + [
        [
            f"id-{i}-{text}",
            f"id-{(i + 1) % len(HOSTILE)}-{HOSTILE[(i + 1) % len(HOSTILE)]}",
            "ASSOCIATED_WITH",
            "2024-01-01",
        ]
        for i, text in enumerate(HOSTILE)
    ]
    files = [
        write(tmp_path / "h" / "entities.csv", _csv(entities)),
        write(tmp_path / "h" / "relations.csv", _csv(relations)),
    ]
    summary = ingest_paths(neo4j_store, files, "s", "generic", tmp_path / "q")
    lite = SQLiteStore(tmp_path / "reference.db")
    ingest_paths(lite, files, "s", "generic", tmp_path / "q")
    assert summary.rows_quarantined == 0
    assert neo4j_store.get_node("Person:s:keep") is not None  # nothing was deleted
    stats = neo4j_store.stats()
    assert sum(stats.nodes.values()) == len(HOSTILE) + 1
    assert stats.edges == {"ASSOCIATED_WITH": len(HOSTILE)}
    for i, text in enumerate(HOSTILE):
        uid = f"{'Organisation' if i % 2 else 'Person'}:s:id-{i}-{text}"
        node = neo4j_store.get_node(uid)
        assert node is not None, uid
        reference = lite.get_node(uid)  # what the embedded store keeps: the same text
        assert reference is not None
        assert (node.name, node.properties) == (reference.name, reference.properties)
        if i % 2:
            assert node.name == f"Name {text}"
        assert [(s.source, s.record) for s in node.sources] == [("s", f"id-{i}-{text}")]
        around = neo4j_store.neighbourhood(uid)
        assert len(around.nodes) == 3 and len(around.edges) == 2
    # Searching for the hostile text finds it, and still changes nothing.
    for text in HOSTILE:
        neo4j_store.search(text)
    assert neo4j_store.search("detach delete") != []
    counts = run_test_statement(neo4j_store, "count_all")[0]
    assert neo4j_store.stats() == stats
    assert counts["ties"] == len(HOSTILE)
    # The hostile source name and run bookkeeping are literal too.
    odd_source = "src' }) DETACH DELETE n //"
    ingest_paths(neo4j_store, [sentinel], odd_source, "generic", tmp_path / "q")
    assert neo4j_store.get_node(f"Person:{odd_source}:keep") is not None
    assert odd_source in {r.source for r in neo4j_store.runs()}
    assert neo4j_store.resolve_local_ids(odd_source, ["keep"]) == {
        "keep": f"Person:{odd_source}:keep"
    }
