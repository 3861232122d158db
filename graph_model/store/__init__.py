"""GraphStore: one interface, an embedded SQLite adapter and a Neo4j adapter.

Only this package knows about SQLite or the Neo4j driver; everything else goes through
`open_store(uri)` and the `GraphStore` protocol.
"""

from graph_model.store.base import (
    EdgeRecord,
    GraphStore,
    IngestRunSummary,
    NodeRecord,
    QuarantineRecord,
    StoreStats,
    Subgraph,
    TieRow,
    WriteBatch,
)
from graph_model.store.uri import open_store

__all__ = [
    "EdgeRecord",
    "GraphStore",
    "IngestRunSummary",
    "NodeRecord",
    "QuarantineRecord",
    "StoreStats",
    "Subgraph",
    "TieRow",
    "WriteBatch",
    "open_store",
]
