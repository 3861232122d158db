"""The Neo4j store's write path: first-value-wins properties, streamed statements, aborted batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cypher.registry import CypherError
from graph_model.store.base import EdgeRecord, NodeRecord, WriteBatch
from graph_model.store.neo4j import Neo4jStore, _BatchAborted, _Statements
from graph_model.store.sqlite import SQLiteStore
from tests.neo4j.helpers import graph_dump

pytestmark = pytest.mark.neo4j
AT = "2026-01-01T00:00:00+00:00"


def node(props: dict[str, Any], record: str, name: str = "Ad") -> NodeRecord:
    return NodeRecord("OnlineAd:ads:a1", "OnlineAd", name, props, "ads", record)


def tie(props: dict[str, Any], record: str) -> EdgeRecord:
    return EdgeRecord("OnlineAd:ads:a1", "LISTS", "Phone:+31612345678", props, "ads", record)


def phone() -> NodeRecord:
    return NodeRecord("Phone:+31612345678", "Phone", "", {"number": "+31612345678"}, "ads", "r1")


def test_each_schema_property_gets_its_own_set_and_nothing_else_is_rendered(
    neo4j_store: Neo4jStore,
) -> None:
    registry = neo4j_store.registry
    nodes = registry.render("merge_nodes", ("site", "title"), label="OnlineAd")
    assert "n.site = coalesce(n.site, row.props.site)," in nodes
    assert "n.title = coalesce(n.title, row.props.title)," in nodes
    assert "CASE WHEN n.title IS NULL THEN row.terms.title END," in nodes  # its search term
    assert "{{" not in nodes and "row.fill" not in nodes
    # No properties given: the property lines are left out, the statement stays valid Cypher.
    bare = registry.render("merge_nodes", (), label="OnlineAd")
    assert "coalesce(n." not in bare and "row.terms." not in bare
    assert "t IN [t IN [\n                          null] WHERE" in bare
    with pytest.raises(CypherError, match=r"'site\) DETACH DELETE n' is not a schema property"):
        registry.render("merge_nodes", ("site) DETACH DELETE n",), label="OnlineAd")
    with pytest.raises(CypherError, match="needs placeholders"):
        registry.render("merge_nodes", label="OnlineAd")


def test_a_later_batch_fills_missing_properties_first_value_wins_in_and_outside_the_schema(
    neo4j_store: Neo4jStore,
) -> None:
    # Schema properties (site, title, ...) and others (p00, ...; t0, ...): all first value wins.
    first = {"site": "s1", **{f"p{i:02d}": f"first {i}" for i in range(0, 9, 2)}}
    second = {"site": "s2", "title": "t2", **{f"p{i:02d}": f"second {i}" for i in range(9)}}
    tie_first = {"note": "n1", **{f"t{i}": i for i in range(0, 5, 2)}}
    tie_second = {"note": "n2", "start_date": "2024-01-01", **{f"t{i}": 100 + i for i in range(5)}}
    neo4j_store.write_batch(
        WriteBatch(nodes=[node(first, "r1", name=""), phone()], edges=[tie(tie_first, "r1")]), AT
    )
    neo4j_store.write_batch(
        WriteBatch(nodes=[node(second, "r2"), phone()], edges=[tie(tie_second, "r2")]), AT
    )
    ad = neo4j_store.get_node("OnlineAd:ads:a1")
    assert ad is not None
    assert ad.name == "Ad"  # was empty: the later name fills it
    assert ad.properties == {
        "site": "s1",
        "title": "t2",
        **{f"p{i:02d}": f"first {i}" if i % 2 == 0 else f"second {i}" for i in range(9)},
    }
    assert [(s.source, s.record) for s in ad.sources] == [("ads", "r1"), ("ads", "r2")]
    (edge,) = neo4j_store.neighbourhood("OnlineAd:ads:a1").edges
    assert edge.properties == {
        "note": "n1",
        "start_date": "2024-01-01",
        **{f"t{i}": i if i % 2 == 0 else 100 + i for i in range(5)},
    }
    assert edge.observations == 2  # the fill rows add no observation
    before = graph_dump(neo4j_store)
    neo4j_store.write_batch(
        WriteBatch(nodes=[node(second, "r2"), phone()], edges=[tie(tie_second, "r2")]), AT
    )
    assert graph_dump(neo4j_store) == before


def test_a_name_and_values_a_later_batch_adds_are_found_by_search_as_in_sqlite(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    # The first record has no name, one schema property and one other; the second adds a name,
    # a schema property (title), another property (p01) and clashing values that must not win.
    first = {"site": "s1", "p00": "First Zero"}
    second = {"site": "s2", "title": "Kamer Zoë", "p00": "second zero", "p01": "Second One"}
    batches = [
        WriteBatch(nodes=[node(first, "r1", name=""), phone()]),
        WriteBatch(nodes=[node(second, "r2", name="Ad Éen"), phone()]),
    ]
    lite = SQLiteStore(tmp_path / "lite.db")
    for batch in batches:
        neo4j_store.write_batch(batch, AT)
        lite.write_batch(batch, AT)
    ad = "OnlineAd:ads:a1"
    for needle, expected in [
        ("ad een", [ad]),  # the name, folded, though it came with the second record
        ("kamer zoe", [ad]),  # a schema property the second record added
        ("second one", [ad]),  # a property outside the schema the second record added
        ("first zero", [ad]),
        ("s1", [ad]),
        ("s2", []),  # first value wins: the second record's site is not the node's
        ("second zero", []),
        ("+31612345678", ["Phone:+31612345678"]),
    ]:
        assert [n.uid for n in neo4j_store.search(needle)] == expected, needle
        assert [n.uid for n in lite.search(needle)] == expected, needle
    # The name goes first, as in SQLite's search text: a prefix match ranks first.
    assert neo4j_store.search("ad")[0].uid == ad
    lite.close()


def test_a_batch_adds_only_the_records_a_node_and_a_tie_do_not_have_yet(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    # Each record's weight is a power of two, so the tie's weight tells which ones were counted.
    def batch(records: list[tuple[str, str | None, float]]) -> WriteBatch:
        return WriteBatch(
            nodes=[
                NodeRecord(
                    "Phone:+31612345678", "Phone", "", {"number": "+31612345678"}, "ads", r, d
                )
                for r, d, _ in records
            ]
            + [node({}, r) for r, _, _ in records],
            edges=[
                EdgeRecord("OnlineAd:ads:a1", "LISTS", "Phone:+31612345678", {}, "ads", r, d, w)
                for r, d, w in records
            ],
        )

    first = batch([("r1", "2024-01-01", 1.0), ("r2", "2024-01-02", 2.0)])
    # r2 and r1 again (other dates and weights: the records are the same, so they add nothing)
    # among the new r3 and r4: the new ones are found wherever they stand in the batch.
    second = batch([("r2", "2024-01-09", 16.0), ("r3", "2024-01-03", 4.0), ("r1", None, 32.0)])
    second.nodes.append(NodeRecord("Phone:+31612345678", "Phone", "", {}, "ads", "r4"))
    second.edges.append(
        EdgeRecord("OnlineAd:ads:a1", "LISTS", "Phone:+31612345678", {}, "ads", "r4", None, 8.0)
    )
    lite = SQLiteStore(tmp_path / "lite.db")
    for write in (first, second):
        neo4j_store.write_batch(write, AT)
        lite.write_batch(write, AT)
    phone = neo4j_store.get_node("Phone:+31612345678")
    assert phone is not None
    assert [(s.record, s.seen and s.seen.isoformat()) for s in phone.sources] == [
        ("r1", "2024-01-01"),
        ("r2", "2024-01-02"),
        ("r3", "2024-01-03"),
        ("r4", None),
    ]
    lite_phone = lite.get_node("Phone:+31612345678")
    assert lite_phone is not None and phone.model_dump() == lite_phone.model_dump()
    (tie,) = neo4j_store.iter_ties()
    assert (tie.observations, tie.weight) == (4, 15.0)  # r1 + r2 + r3 + r4, each once
    assert [tie] == list(lite.iter_ties())
    # The sums the relationship keeps for GDS projections agree with its observations.
    (stored,) = graph_dump(neo4j_store)["ties"].values()
    assert {k: v for k, v in stored[0] if k in ("weight", "observations")} == {
        "weight": 15.0,
        "observations": 4,
    }
    lite.close()


def test_a_batch_whose_rows_cannot_be_built_writes_nothing(neo4j_store: Neo4jStore) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError("broken row (test)")

    neo4j_store._tie_rows = broken  # type: ignore[method-assign]
    batch = WriteBatch(nodes=[node({"site": "x"}, "r1"), phone()], edges=[tie({}, "r1")])
    with pytest.raises(ValueError, match="broken row"):
        neo4j_store.write_batch(batch, AT)
    # The node statements already streamed were rolled back, and later calls do not fail.
    assert neo4j_store.stats().nodes == {}
    del neo4j_store._tie_rows
    neo4j_store.write_batch(batch, AT)
    assert neo4j_store.stats().nodes == {"OnlineAd": 1, "Phone": 1}


def test_a_retried_transaction_replays_the_statements_already_taken() -> None:
    stream = _Statements()
    stream.put(("merge_nodes", {"rows": [1]}, {"label": "Phone"}, ()))
    stream.put(("merge_nodes", {"rows": [2]}, {"label": "Person"}, ()))
    first = iter(stream)
    assert next(first)[1] == {"rows": [1]}  # the first attempt fails after one statement
    stream.close()
    assert [s[1]["rows"] for s in stream] == [[1], [2]]
    assert [s[1]["rows"] for s in stream] == [[1], [2]]
    aborted = _Statements()
    aborted.put(("merge_local_ids", {"rows": []}, {}, None))
    aborted.abort()
    with pytest.raises(_BatchAborted):
        list(aborted)
    with pytest.raises(_BatchAborted):
        list(aborted)
