"""Parity: the same synthetic dataset in SQLite and in Neo4j gives the same graph and answers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_model.store.neo4j import Neo4jStore
from graph_model.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_paths
from ingest.synth import SynthConfig, generate
from tests.neo4j.helpers import wipe

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def stores(
    neo4j_uri: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SQLiteStore, Neo4jStore]]:
    out = tmp_path_factory.mktemp("parity")
    generate(SynthConfig(seed=11, scale=600), out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lite = SQLiteStore(out / "parity.db")
    graph = Neo4jStore(neo4j_uri)
    wipe(graph)
    for export in manifest["exports"]:
        files = [out / f for f in export["files"]]
        for store in (lite, graph):
            ingest_paths(store, files, export["source"], export["mapping"], out / "q")
    yield lite, graph
    lite.close()
    graph.close()


def test_same_counts_runs_and_quarantine(stores: tuple[SQLiteStore, Neo4jStore]) -> None:
    lite, graph = stores
    assert graph.stats() == lite.stats()
    key = lambda r: (r.source, r.rows_read, r.rows_ingested, r.rows_quarantined)  # noqa: E731
    assert sorted(map(key, graph.runs())) == sorted(map(key, lite.runs()))
    assert sorted((q.file, q.line, q.reason) for q in graph.quarantine(limit=10_000)) == sorted(
        (q.file, q.line, q.reason) for q in lite.quarantine(limit=10_000)
    )


def test_same_nodes_names_properties_and_seen_dates(stores: tuple[SQLiteStore, Neo4jStore]) -> None:
    lite, graph = stores
    expected = [n.model_dump() for n in lite.iter_nodes()]
    assert [n.model_dump() for n in graph.iter_nodes()] == expected
    assert len(expected) > 2000
    people = [n.model_dump() for n in lite.iter_nodes(["Person", "Region"])]
    assert [n.model_dump() for n in graph.iter_nodes(["Region", "Person"])] == people


def test_same_provenance(stores: tuple[SQLiteStore, Neo4jStore]) -> None:
    lite, graph = stores
    uids = [n.uid for n in lite.iter_nodes()][::7]
    for uid in uids:
        a, b = lite.get_node(uid), graph.get_node(uid)
        assert a is not None and b is not None
        assert [(s.source, s.record, s.seen) for s in b.sources] == [
            (s.source, s.record, s.seen) for s in a.sources
        ]
    hub = max(lite.iter_nodes(["Region"]), key=lambda n: len(lite.get_node(n.uid).sources))  # type: ignore[union-attr]
    strip = {"sources": {"__all__": {"ingested_at"}}}
    assert graph.get_node(hub.uid).model_dump(exclude=strip) == lite.get_node(  # type: ignore[union-attr]
        hub.uid
    ).model_dump(exclude=strip)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "window",
    [
        (None, None),
        (dt.date(2024, 1, 1), None),
        (None, dt.date(2023, 6, 30)),
        (dt.date(2023, 3, 1), dt.date(2023, 9, 30)),
    ],
)
def test_same_ties_and_aggregates(
    stores: tuple[SQLiteStore, Neo4jStore], window: tuple[dt.date | None, dt.date | None]
) -> None:
    lite, graph = stores
    since, until = window
    expected = list(lite.iter_ties(since=since, until=until))
    got = list(graph.iter_ties(since=since, until=until))
    assert [(t.src, t.type, t.dst) for t in got] == [(t.src, t.type, t.dst) for t in expected]
    for a, b in zip(expected, got, strict=True):
        assert (b.observations, b.first_date, b.last_date) == (
            a.observations,
            a.first_date,
            a.last_date,
        )
        assert b.weight == pytest.approx(a.weight)
        assert b.amount == pytest.approx(a.amount)
    some = ["TRANSFERRED_TO", "CALLED"]
    assert [(t.src, t.dst) for t in graph.iter_ties(some)] == [
        (t.src, t.dst) for t in lite.iter_ties(some)
    ]


def test_same_neighbourhoods(stores: tuple[SQLiteStore, Neo4jStore]) -> None:
    lite, graph = stores
    people = [n.uid for n in lite.iter_nodes(["Person"])]
    starts = [*people[::97], "Region:Den Haag"]
    for uid in starts:
        for hops, limit, types in [(1, 200, None), (2, 25, None), (3, 60, ["CALLED", "USES"])]:
            a = lite.neighbourhood(uid, hops=hops, limit=limit, types=types)
            b = graph.neighbourhood(uid, hops=hops, limit=limit, types=types)
            assert [n.uid for n in b.nodes] == [n.uid for n in a.nodes], (uid, hops, limit)
            assert b.truncated == a.truncated
            assert [e.model_dump(exclude={"weight"}) for e in b.edges] == [
                e.model_dump(exclude={"weight"}) for e in a.edges
            ]
            assert [e.weight for e in b.edges] == pytest.approx([e.weight for e in a.edges])


def test_same_search_results(stores: tuple[SQLiteStore, Neo4jStore]) -> None:
    lite, graph = stores
    for text in ["jan", "de vries", "+316", "NL", "rotterdam", "zz-nothing", "a"]:
        for labels in (None, ["Person"], ["Phone", "BankAccount"]):
            assert [n.uid for n in graph.search(text, labels, limit=15)] == [
                n.uid for n in lite.search(text, labels, limit=15)
            ], (text, labels)


def test_same_analysis_results(stores: tuple[SQLiteStore, Neo4jStore], tmp_path: Path) -> None:
    lite, graph = stores
    for store in (lite, graph):
        store.save_result("run-a", "networks", "2024-05-01T00:00:00", {"networks": 3})
        store.save_node_results("run-a", [("Person:police:P0000001", "n1", {"score": 0.25})])
    assert graph.latest_result("networks") == lite.latest_result("networks")
    assert graph.node_result("Person:police:P0000001") == lite.node_result("Person:police:P0000001")
