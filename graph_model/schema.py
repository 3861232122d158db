"""Load `schema.yaml` into typed, immutable objects; the one place the schema is parsed.

Everything else (pydantic models, Cypher constraints, allow-lists, docs) is derived from the
`Schema` returned here, so the schema is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from netzicht.errors import SchemaError

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")

PROPERTY_TYPES = frozenset(
    {
        "string",
        "text",
        "integer",
        "float",
        "boolean",
        "date",
        "person_name",
        "phone",
        "email",
        "iban",
        "postcode",
        "plate",
        "region",
    }
)
SOURCE_RECORD = "source_record"


@dataclass(frozen=True)
class PropertyDef:
    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class NodeDef:
    label: str
    description: str
    identity: tuple[str, ...]
    display: str
    properties: dict[str, PropertyDef]

    @property
    def keyed_by_source_record(self) -> bool:
        return self.identity == (SOURCE_RECORD,)


@dataclass(frozen=True)
class RelationshipDef:
    type: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Schema:
    version: int
    nodes: dict[str, NodeDef]
    relationships: dict[str, RelationshipDef]
    relationship_properties: dict[str, PropertyDef]
    regions: tuple[str, ...]
    phenomena: tuple[str, ...]
    bookkeeping_labels: tuple[str, ...] = ()

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(self.nodes)

    @property
    def relationship_types(self) -> frozenset[str]:
        return frozenset(self.relationships)

    def node(self, label: str) -> NodeDef:
        try:
            return self.nodes[label]
        except KeyError:
            raise SchemaError(
                f"unknown node label {label!r} (known: {', '.join(sorted(self.nodes))})"
            ) from None

    def relationship(self, rel_type: str) -> RelationshipDef:
        try:
            return self.relationships[rel_type]
        except KeyError:
            raise SchemaError(
                f"unknown relationship type {rel_type!r} "
                f"(known: {', '.join(sorted(self.relationships))})"
            ) from None

    def check_label(self, label: str) -> str:
        """Return `label` if it is in the allow-list; the guard before any label reaches Cypher."""
        if label not in self.bookkeeping_labels:
            self.node(label)
        return label

    def check_relationship_type(self, rel_type: str) -> str:
        self.relationship(rel_type)
        return rel_type


def _properties(raw: dict[str, Any], where: str) -> dict[str, PropertyDef]:
    props: dict[str, PropertyDef] = {}
    for name, spec in (raw or {}).items():
        if not isinstance(spec, dict) or "type" not in spec:
            raise SchemaError(f"{where}.{name}: a property needs a `type`")
        if spec["type"] not in PROPERTY_TYPES:
            raise SchemaError(f"{where}.{name}: unknown property type {spec['type']!r}")
        props[name] = PropertyDef(name, spec["type"], spec.get("description", ""))
    return props


def parse_schema(raw: dict[str, Any], origin: str = "schema") -> Schema:
    nodes: dict[str, NodeDef] = {}
    for label, spec in raw["nodes"].items():
        where = f"{origin}: nodes.{label}"
        props = _properties(spec.get("properties", {}), where)
        identity = tuple(spec["identity"])
        for key in identity:
            if key != SOURCE_RECORD and key not in props:
                raise SchemaError(f"{where}: identity key {key!r} is not a property")
        display = spec.get("display", "")
        if display not in props:
            raise SchemaError(f"{where}: display property {display!r} is not a property")
        nodes[label] = NodeDef(label, spec.get("description", ""), identity, display, props)
    relationships: dict[str, RelationshipDef] = {}
    for rel_type, spec in raw["relationships"].items():
        where = f"{origin}: relationships.{rel_type}"
        for label in [*spec["from"], *spec["to"]]:
            if label not in nodes:
                raise SchemaError(f"{where}: unknown label {label!r}")
        relationships[rel_type] = RelationshipDef(
            rel_type, tuple(spec["from"]), tuple(spec["to"]), spec.get("description", "")
        )
    return Schema(
        version=int(raw.get("version", 1)),
        nodes=nodes,
        relationships=relationships,
        relationship_properties=_properties(
            raw.get("relationship_properties", {}), f"{origin}: relationship_properties"
        ),
        regions=tuple(raw.get("regions", [])),
        phenomena=tuple(raw.get("phenomena", [])),
        bookkeeping_labels=tuple(raw.get("bookkeeping_labels", [])),
    )


@cache
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    with open(path, encoding="utf-8") as handle:
        return parse_schema(yaml.safe_load(handle), origin=str(path))
