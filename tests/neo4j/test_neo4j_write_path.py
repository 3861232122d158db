"""The Neo4j store's write path: property filling in slots, streamed statements, aborted batches."""

from __future__ import annotations

from typing import Any

import pytest

from graph_model.store.base import EdgeRecord, NodeRecord, WriteBatch
from graph_model.store.neo4j import (
    NODE_FILL_SLOTS,
    TIE_FILL_SLOTS,
    Neo4jStore,
    _BatchAborted,
    _Statements,
)
from tests.neo4j.helpers import graph_dump

pytestmark = pytest.mark.neo4j
AT = "2026-01-01T00:00:00+00:00"


def node(props: dict[str, Any], record: str, name: str = "Ad") -> NodeRecord:
    return NodeRecord("OnlineAd:ads:a1", "OnlineAd", name, props, "ads", record)


def tie(props: dict[str, Any], record: str) -> EdgeRecord:
    return EdgeRecord("OnlineAd:ads:a1", "LISTS", "Phone:+31612345678", props, "ads", record)


def phone() -> NodeRecord:
    return NodeRecord("Phone:+31612345678", "Phone", "", {"number": "+31612345678"}, "ads", "r1")


def test_fill_slots_match_the_statements(neo4j_store: Neo4jStore) -> None:
    nodes = neo4j_store.registry.render("merge_nodes", label="OnlineAd")
    ties = neo4j_store.registry.render(
        "merge_ties", src_label="OnlineAd", type="LISTS", dst_label="Phone"
    )
    assert f"row.fill[{NODE_FILL_SLOTS - 1}]" in nodes
    assert f"row.fill[{NODE_FILL_SLOTS}]" not in nodes
    assert f"row.fill[{TIE_FILL_SLOTS - 1}]" in ties
    assert f"row.fill[{TIE_FILL_SLOTS}]" not in ties


def test_a_later_batch_fills_missing_properties_beyond_the_slots_first_value_wins(
    neo4j_store: Neo4jStore,
) -> None:
    # More properties than slots on both the node and the tie: the extra rows fill the rest.
    wide = NODE_FILL_SLOTS * 2 + 1
    first = {f"p{i:02d}": f"first {i}" for i in range(0, wide, 2)}
    second = {f"p{i:02d}": f"second {i}" for i in range(wide)}
    tie_first = {f"t{i}": i for i in range(0, TIE_FILL_SLOTS * 2 + 1, 2)}
    tie_second = {f"t{i}": 100 + i for i in range(TIE_FILL_SLOTS * 2 + 1)}
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
        f"p{i:02d}": f"first {i}" if i % 2 == 0 else f"second {i}" for i in range(wide)
    }
    assert [(s.source, s.record) for s in ad.sources] == [("ads", "r1"), ("ads", "r2")]
    (edge,) = neo4j_store.neighbourhood("OnlineAd:ads:a1").edges
    assert edge.properties == {
        f"t{i}": i if i % 2 == 0 else 100 + i for i in range(TIE_FILL_SLOTS * 2 + 1)
    }
    assert edge.observations == 2  # the extra rows add no observation
    before = graph_dump(neo4j_store)
    neo4j_store.write_batch(
        WriteBatch(nodes=[node(second, "r2"), phone()], edges=[tie(tie_second, "r2")]), AT
    )
    assert graph_dump(neo4j_store) == before


def test_a_batch_whose_rows_cannot_be_built_writes_nothing(neo4j_store: Neo4jStore) -> None:
    def broken(edges: Any) -> Any:
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
    stream.put(("merge_nodes", {"rows": [1]}, {"label": "Phone"}))
    stream.put(("merge_nodes", {"rows": [2]}, {"label": "Person"}))
    first = iter(stream)
    assert next(first)[1] == {"rows": [1]}  # the first attempt fails after one statement
    stream.close()
    assert [s[1]["rows"] for s in stream] == [[1], [2]]
    assert [s[1]["rows"] for s in stream] == [[1], [2]]
    aborted = _Statements()
    aborted.put(("merge_local_ids", {"rows": []}, {}))
    aborted.abort()
    with pytest.raises(_BatchAborted):
        list(aborted)
    with pytest.raises(_BatchAborted):
        list(aborted)
