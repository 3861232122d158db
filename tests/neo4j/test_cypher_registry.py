"""The Cypher registry: named statements, parameters only, labels and types from the allow-list.

The tests without the `neo4j` mark need no server. The last one drives every store method on the
real server and checks that it ran every statement file: each file is used by code and runs.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cypher.registry import CYPHER_DIR, CypherError, Registry
from graph_model.schema import load_schema
from graph_model.store.base import (
    EdgeRecord,
    IngestRunSummary,
    NodeRecord,
    QuarantineRecord,
    WriteBatch,
)
from graph_model.store.neo4j import RESERVED_NODE_KEYS, RESERVED_TIE_KEYS, Neo4jStore

ROOT = Path(__file__).resolve().parents[2]


def test_every_statement_file_has_a_header_and_declares_exactly_what_it_uses() -> None:
    registry = Registry()
    assert {p.stem for p in CYPHER_DIR.glob("*.cypher")} == set(registry.statements)
    for statement in registry.statements.values():
        assert statement.purpose
        assert statement.parameters or statement.placeholders or "$" not in statement.text


def test_unknown_and_missing_parameters_are_refused() -> None:
    registry = Registry()
    with pytest.raises(CypherError, match=r"runs: unknown parameter\(s\) \['name'\]"):
        registry.query("runs", {"limit": 5, "name": "x"})
    with pytest.raises(CypherError, match=r"runs: missing parameter\(s\) \['limit'\]"):
        registry.query("runs", {})
    with pytest.raises(CypherError, match="no Cypher statement named 'drop_everything'"):
        registry.query("drop_everything", {})
    text, params = registry.query("runs", {"limit": 5})
    assert params == {"limit": 5} and "$limit" in text


@pytest.mark.parametrize(
    "label",
    ["Dragon", "Person) DETACH DELETE (x", "Person`", "person", "Person:Phone", "", "IngestRun "],
)
def test_a_label_outside_the_allow_list_is_refused(label: str) -> None:
    with pytest.raises(CypherError, match="unknown node label"):
        Registry().query("get_node", {"uid": "x"}, label=label)


@pytest.mark.parametrize("rel", ["EATS", "CALLED]->() DETACH DELETE (x", "called", "CALLED|MET"])
def test_a_relationship_type_outside_the_allow_list_is_refused(rel: str) -> None:
    with pytest.raises(CypherError, match="unknown relationship type"):
        Registry().query("count_ties", {}, type=rel)


def test_placeholders_must_all_be_given_and_no_others() -> None:
    registry = Registry()
    with pytest.raises(CypherError, match="needs placeholders"):
        registry.query("get_node", {"uid": "x"})
    with pytest.raises(CypherError, match="needs placeholders"):
        registry.query("runs", {"limit": 1}, label="Person")
    text, _ = registry.query("get_node", {"uid": "x"}, label="Person")
    assert "MATCH (n:Person {uid: $uid})" in text
    # Bookkeeping labels are allow-listed too.
    assert ":IngestRun" in registry.render("count_nodes", label="IngestRun")


def test_a_malformed_statement_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "bad.cypher").write_text(
        "// name: bad\n// purpose: x\n// parameters: $a\nRETURN $a, $b\n", encoding="utf-8"
    )
    with pytest.raises(CypherError, match=r"bad\.cypher: `// parameters:` declares \['a'\]"):
        Registry(tmp_path)
    (tmp_path / "bad.cypher").write_text("RETURN 1\n", encoding="utf-8")
    with pytest.raises(CypherError, match=r"bad\.cypher: line 1: the header has no `// name:`"):
        Registry(tmp_path)
    (tmp_path / "bad.cypher").write_text(
        "// name: other\n// purpose: x\n// parameters: none\nRETURN 1\n", encoding="utf-8"
    )
    with pytest.raises(CypherError, match="does not match the file name"):
        Registry(tmp_path)
    (tmp_path / "bad.cypher").write_text(
        "// name: bad\n// purpose: x\n// parameters: none\nMATCH (n:{{name}}) RETURN n\n",
        encoding="utf-8",
    )
    with pytest.raises(CypherError, match="neither a label, a relationship type nor a property"):
        Registry(tmp_path)
    (tmp_path / "bad.cypher").write_text(
        "// name: bad\n// purpose: x\n// parameters: none\nRETURN {{key_property}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CypherError, match="a property placeholder is written"):
        Registry(tmp_path)


def test_static_labels_and_types_in_statement_files_are_allow_listed() -> None:
    schema = load_schema()
    allowed = set(schema.nodes) | set(schema.bookkeeping_labels) | set(schema.relationships)
    for statement in Registry().statements.values():
        body = re.sub(r"//.*", "", statement.text)
        body = re.sub(r"\{\{\s*\w+\s*\}\}", "", body)
        for name in re.findall(r"[(\[]\w*:([A-Za-z_|]+)", body):
            for part in name.split("|"):
                assert part in allowed, f"{statement.name}: {part} is not allow-listed"


def test_store_keys_never_collide_with_schema_properties() -> None:
    schema = load_schema()
    for node in schema.nodes.values():
        assert not RESERVED_NODE_KEYS & set(node.properties), node.label
    # weight, amount and date live on the observations; the tie keeps the other properties.
    tie_props = set(schema.relationship_properties) - {"weight", "amount", "date"}
    assert not RESERVED_TIE_KEYS & tie_props


@pytest.mark.neo4j
def test_every_statement_is_used_by_the_store_and_runs_on_the_server(
    neo4j_store: Neo4jStore,
) -> None:
    used: set[str] = set()
    registry = neo4j_store.registry
    original = registry.query

    def recording(name, parameters=None, **placeholders):  # type: ignore[no-untyped-def]
        used.add(name)
        return original(name, parameters, **placeholders)

    registry.query = recording  # type: ignore[method-assign]
    try:
        store = neo4j_store
        store.apply_schema()
        # A fresh store on this database: schema statements are checked, nothing is missing.
        again = Neo4jStore(store.uri, registry=registry)
        assert again.apply_schema() == []
        again.close()
        used.update({"schema", "bookkeeping_schema", "search_index", "tie_index"})
        run_id = store.begin_run("s", "generic", "2024-01-01T00:00:00+00:00")
        batch = WriteBatch(
            nodes=[
                # "alias" is no schema property: the fill_* statements run for it.
                NodeRecord(
                    "Person:s:1",
                    "Person",
                    "Ann",
                    {"name": "Ann", "alias": "A"},
                    "s",
                    "1",
                    "2024-01-02",
                ),
                NodeRecord(
                    "Phone:+31612345678",
                    "Phone",
                    "+31612345678",
                    {"number": "+31612345678"},
                    "s",
                    "1",
                    None,
                ),
            ],
            edges=[
                EdgeRecord(
                    "Person:s:1",
                    "USES",
                    "Phone:+31612345678",
                    {"note": "n", "alias": "a"},
                    "s",
                    "1",
                    "2024-01-02",
                    1.0,
                ),
            ],
            local_ids=[("s", "1", "Person:s:1")],
        )
        store.write_batch(batch, "2024-01-01T00:00:00+00:00")
        store.write_batch(batch, "2024-01-01T00:00:00+00:00")  # the ON MATCH branches
        store.add_quarantine(run_id, [QuarantineRecord("f.csv", 2, "id", "empty id", {"id": ""})])
        store.finish_run(
            IngestRunSummary(run_id, "s", "generic", "2024-01-01", "2024-01-01", 2, 1, 1, [])
        )
        assert store.resolve_local_ids("s", ["1", "2"]) == {"1": "Person:s:1"}
        assert store.get_node("Person:s:1") is not None
        assert len(store.get_nodes(["Person:s:1", "Phone:+31612345678"])) == 2
        assert [n.uid for n in store.search("ann")] == ["Person:s:1"]
        assert len(store.neighbourhood("Person:s:1", hops=2).edges) == 1
        assert store.stats().nodes == {"Person": 1, "Phone": 1}
        assert store.runs()[0].rows_read == 2
        assert store.quarantine(run_id)[0].reason == "empty id"
        assert len(list(store.iter_nodes())) == 2
        assert len(list(store.iter_ties(since=dt.date(2024, 1, 1)))) == 1
        assert store.tie_trends(["USES"]) == [
            {"type": "USES", "month": "2024-01", "observations": 1, "weight": 1.0, "amount": 0.0}
        ]
        store.save_result("r1", "networks", "2024-01-03", {"n": 1})
        assert store.latest_result("networks") == ("r1", {"n": 1})
        assert store.latest_result_id("networks") == "r1"
        assert store.latest_result_id("nothing of this kind") is None
        assert store.result("r1") == {"n": 1}
        store.save_node_results("r1", [("Person:s:1", "net-1", {"score": 0.5})])
        assert store.node_result("Person:s:1") == {"score": 0.5}
        assert store.node_result("Person:s:1", "r1") == {"score": 0.5}
        assert store.network_members("r1", "net-1") == ["Person:s:1"]
    finally:
        registry.query = original  # type: ignore[method-assign]
    # Erasure and retention statements run in tests/neo4j/test_neo4j_erasure.py, which checks
    # every one of them on the server; here only the store's own statements are traced.
    privacy = {n for n in registry.statements if n.startswith(("erase_", "retention_"))}
    assert set(registry.statements) - used - privacy == set()
    # ... and the code names no statement that has no file.
    source = (ROOT / "graph_model" / "store" / "neo4j.py").read_text(encoding="utf-8")
    for name in re.findall(r'_(?:run|fetch)\(\s*(?:tx,\s*)?"(\w+)"', source):
        assert name in registry.statements
