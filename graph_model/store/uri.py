"""Parse a store URI and open the matching adapter.

`sqlite:///path/to/file.db` (or a bare path) opens the embedded store; `neo4j://`, `neo4j+s://`,
`bolt://` and `bolt+s://` open the Neo4j store with credentials from the environment.
"""

from __future__ import annotations

from pathlib import Path

from graph_model.store.base import GraphStore
from netzicht.errors import StoreError

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def sqlite_path(uri: str) -> Path:
    if uri.startswith("sqlite:///"):
        return Path(uri[len("sqlite:///") :])
    if uri.startswith("sqlite://"):
        raise StoreError(f"store URI {uri!r}: use sqlite:///relative.db or sqlite:////abs/path.db")
    if "://" in uri:
        raise StoreError(
            f"store URI {uri!r}: unknown scheme (use sqlite:///file.db, neo4j://host or bolt://host)"
        )
    return Path(uri)


def open_store(uri: str) -> GraphStore:
    if uri.startswith(NEO4J_SCHEMES):
        from graph_model.store.neo4j import Neo4jStore

        return Neo4jStore.from_uri(uri)
    from graph_model.store.sqlite import SQLiteStore

    return SQLiteStore(sqlite_path(uri))
