"""Cypher constraints and indexes derived from the schema (written to cypher/schema.cypher).

`python -m graph_model.cypher_schema > cypher/schema.cypher` regenerates the file; a test checks
the committed file equals what the schema gives, so they cannot drift apart.
"""

from __future__ import annotations

import re

from graph_model.schema import SOURCE_RECORD, Schema, load_schema

HEADER = """// name: schema
// purpose: constraints and indexes for every node label of the graph schema
// parameters: none
// GENERATED from graph_model/schema.yaml by `python -m graph_model.cypher_schema`; do not edit.
"""


def _snake(label: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", label).lower()


def schema_statements(schema: Schema) -> list[str]:
    statements: list[str] = []
    for label, node in sorted(schema.nodes.items()):
        name = _snake(label)
        statements.append(
            f"CREATE CONSTRAINT {name}_uid IF NOT EXISTS FOR (n:{label}) REQUIRE n.uid IS UNIQUE"
        )
        indexed = [k for k in node.identity if k != SOURCE_RECORD]
        if node.display not in indexed:
            indexed.append(node.display)
        for prop in indexed:
            statements.append(
                f"CREATE INDEX {name}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
            )
    # No full-text index on `search`: search runs `CONTAINS` on the per-label text indexes
    # (cypher/search_index.cypher), and a Lucene full-text index nobody queries cost about a
    # sixth of the server's CPU on every ingest (bench/neo4j_ingest.py).
    return statements


def schema_cypher(schema: Schema | None = None) -> str:
    body = ";\n".join(schema_statements(schema or load_schema()))
    return HEADER + body + ";\n"


if __name__ == "__main__":
    print(schema_cypher(), end="")
