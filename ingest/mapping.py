"""Declarative source mappings: one YAML file per source maps columns to nodes and edges.

A mapping is validated against the graph schema when it is loaded, so a typo in a label, a
relationship type or a property stops the run before anything is written, with a message that
names the mapping file and the offending key. See `ingest/mappings/generic.yaml` for the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph_model.schema import SOURCE_RECORD, Schema, load_schema
from netzicht.errors import MappingError

MAPPINGS_DIR = Path(__file__).with_name("mappings")
_TEMPLATE_FIELD = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class ValueSpec:
    """Where a value comes from: a column (optionally mapped), a constant or a template."""

    column: str | None = None
    value: str | None = None
    template: str | None = None
    mapping: dict[str, str] | None = None
    default: str | None = None

    @property
    def columns(self) -> list[str]:
        if self.column is not None:
            return [self.column]
        if self.template is not None:
            return _TEMPLATE_FIELD.findall(self.template)
        return []


@dataclass(frozen=True)
class Condition:
    column: str
    values: frozenset[str] | None = None  # `in:` — the (stripped) value is one of these
    not_empty: bool = False


@dataclass(frozen=True)
class NodeSpec:
    key: str
    label: ValueSpec
    properties: dict[str, ValueSpec]
    record: ValueSpec | None
    local_id: ValueSpec | None
    required: bool
    when: Condition | None


@dataclass(frozen=True)
class EndpointSpec:
    node: str | None = None  # a node key of this row
    ref: str | None = None  # a column holding an entity id local to the source


@dataclass(frozen=True)
class EdgeSpec:
    type: ValueSpec
    src: EndpointSpec
    dst: EndpointSpec
    properties: dict[str, ValueSpec]
    when: Condition | None


@dataclass(frozen=True)
class FileSpec:
    kind: str
    header: tuple[str, ...]
    record: ValueSpec | None
    seen: tuple[str, ...]
    order: int
    nodes: tuple[NodeSpec, ...]
    edges: tuple[EdgeSpec, ...]

    @property
    def columns(self) -> set[str]:
        cols: set[str] = set(self.header) | set(self.seen)
        specs: list[ValueSpec | None] = [self.record]
        for n in self.nodes:
            specs += [n.label, n.record, n.local_id, *n.properties.values()]
            if n.when:
                cols.add(n.when.column)
        for e in self.edges:
            specs += [e.type, *e.properties.values()]
            cols.update(c for c in (e.src.ref, e.dst.ref) if c)
            if e.when:
                cols.add(e.when.column)
        for spec in specs:
            if spec is not None:
                cols.update(spec.columns)
        return cols


@dataclass(frozen=True)
class Mapping:
    name: str
    path: Path
    description: str
    agency: str
    legal_basis: str
    retention_days: int | None
    pseudonymise: dict[str, tuple[str, ...]]
    files: tuple[FileSpec, ...]
    protected: bool = False
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def file_for_header(self, header: list[str]) -> FileSpec | None:
        present = set(header)
        for spec in self.files:
            if set(spec.header) <= present:
                return spec
        return None


class _Loader:
    def __init__(self, path: Path, schema: Schema) -> None:
        self.path = path
        self.schema = schema

    def fail(self, where: str, message: str) -> MappingError:
        return MappingError(f"mapping {self.path}: {where}: {message}")

    def value(self, raw: Any, where: str) -> ValueSpec:
        if isinstance(raw, str):
            if _TEMPLATE_FIELD.search(raw):
                return ValueSpec(template=raw)
            return ValueSpec(column=raw)
        if isinstance(raw, dict):
            unknown = set(raw) - {"column", "value", "template", "map", "default"}
            if unknown:
                raise self.fail(where, f"unknown key(s) {sorted(unknown)}")
            sources = [k for k in ("column", "value", "template") if k in raw]
            if len(sources) != 1:
                raise self.fail(where, "give exactly one of column, value, template")
            mapping = raw.get("map")
            if mapping is not None and not isinstance(mapping, dict):
                raise self.fail(where, "`map` must be a table of value: replacement")
            return ValueSpec(
                column=raw.get("column"),
                value=None if raw.get("value") is None else str(raw["value"]),
                template=raw.get("template"),
                mapping={str(k): str(v) for k, v in mapping.items()} if mapping else None,
                default=None if raw.get("default") is None else str(raw["default"]),
            )
        raise self.fail(where, f"expected a column name or a table, got {raw!r}")

    def condition(self, raw: Any, where: str) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or "column" not in raw:
            raise self.fail(where, "`when` needs a `column` and `in` or `not_empty`")
        values = raw.get("in")
        return Condition(
            column=raw["column"],
            values=frozenset(str(v) for v in values) if values is not None else None,
            not_empty=bool(raw.get("not_empty", False)),
        )

    def possible_values(self, spec: ValueSpec) -> list[str] | None:
        """The values a spec can produce, when they are known at load time."""
        if spec.value is not None:
            return [spec.value]
        if spec.mapping is not None:
            return [*spec.mapping.values(), *([spec.default] if spec.default else [])]
        return None

    def node(self, key: str, raw: dict[str, Any], where: str) -> NodeSpec:
        if "label" not in raw:
            raise self.fail(where, "a node needs a `label`")
        label = (
            ValueSpec(value=raw["label"])
            if isinstance(raw["label"], str)
            else self.value(raw["label"], f"{where}.label")
        )
        labels = self.possible_values(label)
        if labels is not None:
            for candidate in labels:
                if candidate not in self.schema.nodes:
                    raise self.fail(f"{where}.label", f"unknown node label {candidate!r}")
        allowed = labels if labels is not None else list(self.schema.nodes)
        properties: dict[str, ValueSpec] = {}
        for name, spec in (raw.get("properties") or {}).items():
            if not any(name in self.schema.nodes[lbl].properties for lbl in allowed):
                raise self.fail(
                    f"{where}.properties.{name}",
                    f"no property {name!r} on {' or '.join(allowed)}",
                )
            properties[name] = self.value(spec, f"{where}.properties.{name}")
        needs_record = any(self.schema.nodes[lbl].keyed_by_source_record for lbl in allowed)
        record = self.value(raw["record"], f"{where}.record") if "record" in raw else None
        if needs_record and labels is not None and record is None:
            raise self.fail(where, f"{'/'.join(allowed)} is keyed by source record: give `record`")
        return NodeSpec(
            key=key,
            label=label,
            properties=properties,
            record=record,
            local_id=self.value(raw["local_id"], f"{where}.local_id")
            if "local_id" in raw
            else None,
            required=bool(raw.get("required", False)),
            when=self.condition(raw.get("when"), f"{where}.when"),
        )

    def endpoint(self, raw: Any, nodes: dict[str, NodeSpec], where: str) -> EndpointSpec:
        if isinstance(raw, str):
            if raw not in nodes:
                raise self.fail(where, f"unknown node key {raw!r} (known: {sorted(nodes)})")
            return EndpointSpec(node=raw)
        if isinstance(raw, dict) and "ref" in raw:
            return EndpointSpec(ref=str(raw["ref"]))
        raise self.fail(where, "an endpoint is a node key or {ref: column}")

    def edge(self, raw: dict[str, Any], nodes: dict[str, NodeSpec], where: str) -> EdgeSpec:
        for key in ("type", "from", "to"):
            if key not in raw:
                raise self.fail(where, f"an edge needs `{key}`")
        rtype = (
            ValueSpec(value=raw["type"])
            if isinstance(raw["type"], str)
            else self.value(raw["type"], f"{where}.type")
        )
        for candidate in self.possible_values(rtype) or []:
            if candidate not in self.schema.relationships:
                raise self.fail(f"{where}.type", f"unknown relationship type {candidate!r}")
        properties = {}
        for name, spec in (raw.get("properties") or {}).items():
            if name not in self.schema.relationship_properties:
                raise self.fail(f"{where}.properties.{name}", f"unknown edge property {name!r}")
            properties[name] = self.value(spec, f"{where}.properties.{name}")
        return EdgeSpec(
            type=rtype,
            src=self.endpoint(raw["from"], nodes, f"{where}.from"),
            dst=self.endpoint(raw["to"], nodes, f"{where}.to"),
            properties=properties,
            when=self.condition(raw.get("when"), f"{where}.when"),
        )

    def file(self, raw: dict[str, Any], index: int) -> FileSpec:
        where = f"files[{index}]"
        if not raw.get("header"):
            raise self.fail(where, "a file needs `header`: the columns that recognise it")
        nodes: dict[str, NodeSpec] = {}
        for key, spec in (raw.get("nodes") or {}).items():
            nodes[key] = self.node(key, spec, f"{where}.nodes.{key}")
        edges = tuple(
            self.edge(spec, nodes, f"{where}.edges[{i}]")
            for i, spec in enumerate(raw.get("edges") or [])
        )
        if not nodes and not edges:
            raise self.fail(where, "a file needs at least one node or edge")
        seen = raw.get("seen") or []
        return FileSpec(
            kind=str(raw.get("kind", f"file{index}")),
            header=tuple(raw["header"]),
            record=self.value(raw["record"], f"{where}.record") if "record" in raw else None,
            seen=tuple([seen] if isinstance(seen, str) else seen),
            order=int(raw.get("order", 0)),
            nodes=tuple(nodes.values()),
            edges=edges,
        )

    def mapping(self, raw: Any) -> Mapping:
        if not isinstance(raw, dict):
            raise self.fail("top level", "expected a table")
        if not raw.get("files"):
            raise self.fail("top level", "no `files`")
        pseud = raw.get("pseudonymise") or {}
        for label, props in pseud.items():
            node = self.schema.nodes.get(label)
            if node is None:
                raise self.fail(f"pseudonymise.{label}", "unknown node label")
            for prop in props:
                if prop not in node.properties:
                    raise self.fail(f"pseudonymise.{label}", f"no property {prop!r}")
        return Mapping(
            name=str(raw.get("name", self.path.stem)),
            path=self.path,
            description=str(raw.get("description", "")),
            agency=str(raw.get("agency", "")),
            legal_basis=str(raw.get("legal_basis", "")),
            retention_days=raw.get("retention_days"),
            pseudonymise={k: tuple(v) for k, v in pseud.items()},
            files=tuple(self.file(f, i) for i, f in enumerate(raw["files"])),
            protected=bool(raw.get("protected", False)),
            raw=raw,
        )


def load_mapping(name_or_path: str | Path, schema: Schema | None = None) -> Mapping:
    """Load a shipped mapping by name (`police`) or any mapping file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        known = ", ".join(available_mappings())
        raise MappingError(f"mapping {name_or_path!s}: no such mapping file (shipped: {known})")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {path}: not valid YAML: {exc}") from exc
    return _Loader(path, schema or load_schema()).mapping(raw)


def available_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


__all__ = ["SOURCE_RECORD", "Mapping", "available_mappings", "load_mapping"]
