"""Helpers for the Neo4j store's tests: test-only statements, wiping and dumping the graph."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cypher.registry import Registry
from graph_model.store.neo4j import KEY_SEPARATOR, Neo4jStore

NEO4J_URI = os.environ.get("NETZICHT_TEST_NEO4J", "bolt://127.0.0.1:7687")
TEST_CYPHER = Registry(Path(__file__).with_name("cypher"))
BOOKKEEPING = frozenset({"IngestRun", "QuarantineRow", "Result", "NodeResult", "LocalId"})


def run_test_statement(store: Neo4jStore, name: str) -> list[dict[str, Any]]:
    text, params = TEST_CYPHER.query(name)
    with store._driver.session(database=store.database) as session:
        return [record.data() for record in session.run(text, params)]


def wipe(store: Neo4jStore) -> None:
    store.drain()
    run_test_statement(store, "wipe")


def graph_dump(store: Neo4jStore, with_bookkeeping: bool = False) -> dict[str, Any]:
    """The whole graph as comparable data: order of list entries and ingest times left out."""
    store.drain()
    nodes: dict[str, Any] = {}
    for row in run_test_statement(store, "dump_nodes"):
        labels = sorted(row["labels"])
        props = dict(row["props"])
        if BOOKKEEPING & set(labels):
            if with_bookkeeping:
                nodes[json.dumps([labels, sorted(props.items())], default=str)] = None
            continue
        prov = sorted(zip(props.pop("prov_keys"), props.pop("prov_seen"), strict=True))
        props.pop("prov_ingested")
        nodes[props["uid"]] = (labels, sorted(props.items()), prov)
    ties: dict[tuple[str, str, str], Any] = {}
    for row in run_test_statement(store, "dump_ties"):
        props = dict(row["props"])
        obs = sorted(
            zip(
                props.pop("obs_keys"),
                props.pop("obs_dates"),
                props.pop("obs_weights"),
                props.pop("obs_amounts"),
                strict=True,
            )
        )
        props["weight"] = round(props["weight"], 6)
        props["amount"] = round(props["amount"], 6)
        ties[(row["src"], row["type"], row["dst"])] = (sorted(props.items()), obs)
    return {"nodes": nodes, "ties": ties}


def prov_key(source: str, record: str) -> str:
    return f"{source}{KEY_SEPARATOR}{record}"
