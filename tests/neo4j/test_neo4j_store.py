"""The SQLite store's behaviours, run again on the Neo4j store against a real server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph_model.store.neo4j import Neo4jStore
from ingest.pipeline import ingest_paths
from netzicht.errors import InputFileError
from tests.conftest import write
from tests.neo4j.helpers import graph_dump
from tests.test_ingest import generic_files

pytestmark = pytest.mark.neo4j


def test_every_row_is_ingested_or_quarantined_with_a_reason(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    summary = ingest_paths(neo4j_store, generic_files(tmp_path), "acme", "generic", tmp_path / "q")
    by_kind = {f.kind: f for f in summary.files}
    assert (by_kind["entities"].rows_read, by_kind["entities"].rows_quarantined) == (9, 5)
    assert (by_kind["relations"].rows_read, by_kind["relations"].rows_quarantined) == (8, 4)
    quarantined = neo4j_store.quarantine()
    assert len(quarantined) == 9
    assert [q.line for q in quarantined if q.file.endswith("entities.csv")] == [6, 7, 8, 9, 10]
    reasons = " | ".join(q.reason for q in quarantined)
    assert "unknown node label 'Dragon'" in reasons
    assert "entity 'zz' is not in source 'acme'" in reasons
    assert "SUSPECT_IN cannot go from Case to Person" in reasons
    assert quarantined[0].row["name"] == "bad"  # the original row is kept
    (run,) = neo4j_store.runs()
    assert (run.rows_read, run.rows_ingested, run.rows_quarantined) == (17, 8, 9)
    assert run.finished is not None and len(run.files) == 2
    assert neo4j_store.quarantine(run.run_id, limit=2) == quarantined[:2]
    assert neo4j_store.quarantine("no-such-run") == []


def test_ingested_values_are_normalised_with_provenance(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    ingest_paths(neo4j_store, generic_files(tmp_path), "acme", "generic", tmp_path / "q")
    person = neo4j_store.get_node("Person:acme:p1")
    assert person is not None
    assert person.name == "Jan de Vries"
    assert person.properties["birth_date"] == "1980-02-01"
    assert [(s.source, s.record) for s in person.sources] == [("acme", "p1")]
    assert neo4j_store.get_node("Phone:+31612345678") is not None
    assert neo4j_store.get_node("Address:1012JS|1") is not None
    assert neo4j_store.get_node("Dragon:x") is None
    assert neo4j_store.get_node("no label at all") is None
    ties = {(t.src, t.type, t.dst): t for t in neo4j_store.iter_ties()}
    called = ties[("Person:acme:p1", "CALLED", "Person:acme:p2")]
    assert (called.observations, called.weight) == (2, 3.0)
    assert (called.first_date, called.last_date) == ("2024-01-02", "2024-01-03")
    # Windows: a dated observation outside is left out; undated ones count in every window.
    window = {(t.src, t.type, t.dst): t for t in neo4j_store.iter_ties(since=dt.date(2024, 1, 3))}
    assert window[("Person:acme:p1", "CALLED", "Person:acme:p2")].observations == 1
    assert ("Person:acme:p1", "SUSPECT_IN", "Case:acme:c1") not in window
    assert ("Person:acme:p2", "VICTIM_IN", "Case:acme:c1") in window


def test_ingesting_the_same_files_twice_changes_nothing(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    files = generic_files(tmp_path)
    ingest_paths(neo4j_store, files, "acme", "generic", tmp_path / "q")
    before = graph_dump(neo4j_store)
    second = ingest_paths(neo4j_store, files, "acme", "generic", tmp_path / "q")
    assert second.rows_read == 17
    assert graph_dump(neo4j_store) == before
    assert len(neo4j_store.runs()) == 2


def test_the_same_phone_from_two_sources_is_one_node_with_both_provenances(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    a = write(tmp_path / "a.csv", "id,type,name,phone\nx,Person,Ann,0612345678\n")
    (tmp_path / "b").mkdir()
    b = write(tmp_path / "b" / "a.csv", "id,type,name,phone\ny,Person,Bo,+31612345678\n")
    ingest_paths(neo4j_store, [a], "police", "generic", tmp_path / "q")
    ingest_paths(neo4j_store, [b], "fiu", "generic", tmp_path / "q")
    phone = neo4j_store.get_node("Phone:+31612345678")
    assert phone is not None
    assert [(s.source, s.record) for s in phone.sources] == [("fiu", "y"), ("police", "x")]
    assert neo4j_store.stats().nodes == {"Person": 2, "Phone": 1}


def test_properties_merge_first_value_wins_and_seen_dates_widen(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    header = "id,type,name,birth_date,date\n"
    first = write(tmp_path / "first.csv", header + "p1,Person,Ann Smit,,2024-03-01\n")
    (tmp_path / "b").mkdir()
    second = write(tmp_path / "b" / "first.csv", header + "p1,Person,Other,1990-01-02,2024-01-01\n")
    ingest_paths(neo4j_store, [first], "s", "generic", tmp_path / "q")
    ingest_paths(neo4j_store, [second], "s", "generic", tmp_path / "q")
    node = neo4j_store.get_node("Person:s:p1")
    assert node is not None
    assert node.name == "Ann Smit"
    assert node.properties == {"name": "Ann Smit", "birth_date": "1990-01-02"}
    assert (node.first_seen, node.last_seen) == ("2024-01-01", "2024-03-01")
    assert [(p.source, p.record, str(p.seen)) for p in node.sources] == [("s", "p1", "2024-03-01")]


def test_neighbourhood_respects_hops_limit_and_types(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    rows = "\n".join(f"p{i},Person,Person {i},0612{i:06d}" for i in range(30))
    path = write(tmp_path / "entities.csv", "id,type,name,phone\n" + rows + "\n")
    relations = "\n".join(f"p0,p{i},CALLED,2024-01-{i % 28 + 1:02d}" for i in range(1, 30))
    rel_path = write(tmp_path / "relations.csv", "source,target,type,date\n" + relations + "\n")
    ingest_paths(neo4j_store, [path, rel_path], "s", "generic", tmp_path / "q")
    hub = "Person:s:p0"
    full = neo4j_store.neighbourhood(hub, hops=1, limit=200)
    assert not full.truncated
    assert len(full.nodes) == 31  # 29 people called, and p0's own phone
    assert full.nodes[0].uid == hub
    small = neo4j_store.neighbourhood(hub, hops=2, limit=10)
    assert small.truncated and len(small.nodes) == 10
    keep = {n.uid for n in small.nodes}
    assert all(e.src in keep and e.dst in keep for e in small.edges)
    assert [e.id for e in small.edges] == sorted(e.id for e in small.edges)
    only_uses = neo4j_store.neighbourhood(hub, hops=3, limit=200, types=["USES"])
    assert {n.uid for n in only_uses.nodes} == {hub, "Phone:+31612000000"}
    assert [e.type for e in only_uses.edges] == ["USES"]
    nothing = neo4j_store.neighbourhood("Person:s:nobody")
    assert (nothing.nodes, nothing.edges) == ([], [])


def test_search_finds_folded_substrings_prefix_first(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "entities.csv",
        "id,type,name,phone\n"
        "p1,Person,Zoë Müller,0612345678\n"
        "p2,Person,Anna Zoe,\n"
        "p3,Organisation,50% Zoe B.V.,\n"
        "p4,Person,Zo_e Wild,\n",
    )
    ingest_paths(neo4j_store, [path], "s", "generic", tmp_path / "q")
    found = [n.uid for n in neo4j_store.search("zoe")]
    assert found[0] == "Person:s:p1"  # a prefix match comes first
    assert set(found) == {"Person:s:p1", "Person:s:p2", "Organisation:s:p3"}
    assert [n.uid for n in neo4j_store.search("ZOE", labels=["Organisation"])] == [
        "Organisation:s:p3"
    ]
    assert [n.uid for n in neo4j_store.search("50%")] == ["Organisation:s:p3"]
    assert [n.uid for n in neo4j_store.search("zo_e")] == ["Person:s:p4"]
    assert [n.uid for n in neo4j_store.search("+31612345678")] == ["Phone:+31612345678"]
    assert neo4j_store.search("   ") == []
    assert len(neo4j_store.search("zoe", limit=1)) == 1


def test_an_unreadable_file_stops_the_run_before_anything_is_written(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    good = write(tmp_path / "entities.csv", "id,type,name\np1,Person,Ann\n")
    unknown = write(tmp_path / "other.csv", "foo,bar\n1,2\n")
    with pytest.raises(InputFileError):
        ingest_paths(neo4j_store, [good, unknown], "s", "generic", tmp_path / "q")
    assert neo4j_store.stats().nodes == {}
    assert neo4j_store.runs() == []


def test_results_are_stored_replaced_and_found_again(neo4j_store: Neo4jStore) -> None:
    assert neo4j_store.latest_result("networks") is None
    neo4j_store.save_result("r1", "networks", "2024-01-01T00:00:00", {"a": [1, 2]})
    neo4j_store.save_result("r2", "networks", "2024-02-01T00:00:00", {"a": [3]})
    neo4j_store.save_result("r1", "networks", "2024-01-01T00:00:00", {"a": [9]})
    assert neo4j_store.latest_result("networks") == ("r2", {"a": [3]})
    assert neo4j_store.result("r1") == {"a": [9]}
    assert neo4j_store.result("nope") is None
    neo4j_store.save_node_results("r1", [("Person:s:1", "n1", {"score": 1})])
    neo4j_store.save_node_results("r2", [("Person:s:1", None, {"score": 2})])
    assert neo4j_store.node_result("Person:s:1") == {"score": 2}
    assert neo4j_store.node_result("Person:s:1", "r1") == {"score": 1}
    assert neo4j_store.node_result("Person:s:2") is None
    assert neo4j_store.stats().nodes == {}  # bookkeeping is not part of the graph
