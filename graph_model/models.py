"""Pydantic models built from the schema at import time (never written by hand).

`NODE_MODELS["Phone"]` validates the properties of a Phone node; `EdgeProperties` validates the
properties every relationship may carry. Typed schema properties map to Python types here; their
normalisation happens in `ingest.normalise` before validation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from graph_model.schema import PropertyDef, Schema, load_schema

PYTHON_TYPES: dict[str, type] = {
    "string": str,
    "text": str,
    "integer": int,
    "float": float,
    "boolean": bool,
    "date": dt.date,
    "person_name": str,
    "phone": str,
    "email": str,
    "iban": str,
    "postcode": str,
    "plate": str,
    "region": str,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _fields(props: dict[str, PropertyDef]) -> dict[str, Any]:
    return {name: (PYTHON_TYPES[p.type] | None, None) for name, p in props.items()}


def build_node_models(schema: Schema) -> dict[str, type[BaseModel]]:
    return {
        label: create_model(  # type: ignore[call-overload]
            f"{label}Properties",
            __base__=_Strict,
            __doc__=node.description,
            **_fields(node.properties),
        )
        for label, node in schema.nodes.items()
    }


SCHEMA = load_schema()
NODE_MODELS: dict[str, type[BaseModel]] = build_node_models(SCHEMA)
EdgeProperties: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "EdgeProperties", __base__=_Strict, **_fields(SCHEMA.relationship_properties)
)


class Provenance(BaseModel):
    """Where a node or edge was seen: which source, which record, when."""

    source: str
    record: str
    seen: dt.date | None = None
    ingested_at: str


class Node(BaseModel):
    uid: str
    label: str
    name: str
    properties: dict[str, Any]
    first_seen: str | None = None
    last_seen: str | None = None
    sources: list[Provenance] = []


class Edge(BaseModel):
    id: str
    src: str
    dst: str
    type: str
    properties: dict[str, Any]
    first_seen: str | None = None
    last_seen: str | None = None
    observations: int = 0
    weight: float = 0.0
