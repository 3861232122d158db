"""Turn one input row into node and edge records, or a RowError that names the field.

A row is all or nothing: if any part of it is bad (an unparsable phone, an unknown relationship
type, an empty id) the whole row goes to quarantine, so the graph never holds half a record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from hashlib import blake2b
from typing import Any

from graph_model.identity import node_uid, source_record_uid
from graph_model.schema import SOURCE_RECORD, Schema
from graph_model.store.base import EdgeRecord, NodeRecord
from ingest.mapping import Condition, FileSpec, NodeSpec, ValueSpec
from ingest.normalise import NORMALISERS, normalise_region
from netzicht.errors import RowError

# Values agencies use for "nothing here"; treated as empty.
MISSING = frozenset({"", "null", "none", "n/a", "na", "onbekend", "unknown", "-"})

Row = dict[str, str]
_MISS = object()
_CACHE_LIMIT = 500_000
Pseudonymise = Callable[[str, str], str]


def is_missing(value: str | None) -> bool:
    if not value:
        return True
    # Only short values can be a "missing" marker; skip the strip/lower for the rest.
    return len(value) <= 12 and value.strip().lower() in MISSING


def row_fingerprint(row: Row) -> str:
    """A record id for rows without one: the same content gives the same id on every run."""
    joined = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(row.items()))
    return blake2b(joined.encode(), digest_size=8).hexdigest()


def _template(template: str, row: Row) -> str:
    out = template
    for key, value in row.items():
        token = "{" + key + "}"
        if token in out:
            out = out.replace(token, "" if is_missing(value) else value.strip())
    return " ".join(out.split()).strip(" ,|")


def evaluate(spec: ValueSpec, row: Row) -> str | None:
    if spec.value is not None:
        return spec.value
    if spec.template is not None:
        text = _template(spec.template, row)
        return text or spec.default
    raw = row.get(spec.column or "")
    if is_missing(raw):
        return spec.default
    assert raw is not None
    value = raw.strip()
    if spec.mapping is not None:
        mapped = spec.mapping.get(value, spec.mapping.get(value.lower()))
        if mapped is None:
            if spec.default is not None:
                return spec.default
            raise RowError(spec.column or "?", f"unexpected value {value!r}")
        return mapped
    return value


def _matches(cond: Condition | None, row: Row) -> bool:
    if cond is None:
        return True
    raw = row.get(cond.column)
    if cond.not_empty:
        return not is_missing(raw)
    return raw is not None and cond.values is not None and raw.strip() in cond.values


@dataclass(slots=True)
class RowResult:
    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[EdgeRecord] = field(default_factory=list)
    local_ids: list[tuple[str, str, str]] = field(default_factory=list)
    # (edge index, "src" | "dst", local id) still to resolve against the source's entities
    refs: list[tuple[int, str, str]] = field(default_factory=list)


class RowProcessor:
    """Compiled form of one FileSpec for one source."""

    def __init__(
        self,
        spec: FileSpec,
        schema: Schema,
        source: str,
        pseudonymise: dict[str, tuple[str, ...]] | None = None,
        pseudonymiser: Pseudonymise | None = None,
    ) -> None:
        self.spec = spec
        self.schema = schema
        self.source = source
        self.pseudonymise = pseudonymise or {}
        self.pseudonymiser = pseudonymiser
        self._normalisers: dict[str, Callable[[str], object]] = dict(NORMALISERS)
        self._normalisers["region"] = partial(normalise_region, regions=schema.regions)
        self._cache: dict[tuple[str, str], Any] = {}

    def normalise(self, type_name: str, value: str) -> Any:
        # Exports repeat the same values (phones, IBANs, dates) many times; remember each answer,
        # errors included, so a value is parsed once per file.
        key = (type_name, value)
        cached = self._cache.get(key, _MISS)
        if cached is _MISS:
            try:
                out = self._normalisers[type_name](value)
                cached = out.isoformat() if isinstance(out, dt.date) else out
            except ValueError as exc:
                cached = exc
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        if isinstance(cached, ValueError):
            raise cached
        return cached

    def _seen(self, row: Row) -> str | None:
        for column in self.spec.seen:
            raw = row.get(column)
            if not is_missing(raw):
                assert raw is not None
                try:
                    return str(self.normalise("date", raw))
                except ValueError as exc:
                    raise RowError(column, str(exc)) from None
        return None

    def _node(self, spec: NodeSpec, row: Row, record: str, seen: str | None) -> NodeRecord | None:
        label = evaluate(spec.label, row)
        if label is None:
            if spec.required:
                raise RowError(spec.label.column or spec.key, "empty node label")
            return None
        node_def = self.schema.nodes.get(label)
        if node_def is None:
            raise RowError(spec.label.column or spec.key, f"unknown node label {label!r}")
        props: dict[str, Any] = {}
        for name, vspec in spec.properties.items():
            prop = node_def.properties.get(name)
            if prop is None:
                continue  # a dynamic label without this property
            raw = evaluate(vspec, row)
            if raw is None:
                continue
            try:
                props[name] = self.normalise(prop.type, raw)
            except ValueError as exc:
                raise RowError(vspec.column or name, str(exc)) from None
        to_hide = self.pseudonymise.get(label, ())
        if to_hide and self.pseudonymiser is not None:
            for name in to_hide:
                if name in props:
                    props[name] = self.pseudonymiser(f"{label}.{name}", str(props[name]))
            props["pseudonymised"] = True if "pseudonymised" in node_def.properties else None
            props = {k: v for k, v in props.items() if v is not None}
        if node_def.keyed_by_source_record:
            rec = evaluate(spec.record, row) if spec.record is not None else None
            if rec is None:
                if spec.required:
                    field_name = (
                        spec.record.columns[0] if spec.record and spec.record.columns else spec.key
                    )
                    raise RowError(field_name, f"empty id for {label}")
                return None
            uid = source_record_uid(label, self.source, rec)
        else:
            values = []
            for key in node_def.identity:
                value = props.get(key)
                if value is None:
                    if spec.required:
                        raise RowError(key, f"missing {key} for {label}")
                    return None
                values.append(str(value))
            uid = node_uid(label, tuple(values))
        name = str(props.get(node_def.display, ""))
        return NodeRecord(uid, label, name, props, self.source, record, seen)

    def process(self, row: Row) -> RowResult:
        result = RowResult()
        record = evaluate(self.spec.record, row) if self.spec.record is not None else None
        if self.spec.record is not None and record is None:
            raise RowError(
                self.spec.record.columns[0] if self.spec.record.columns else "record", "empty id"
            )
        record = record or row_fingerprint(row)
        seen = self._seen(row)
        by_key: dict[str, NodeRecord] = {}
        for spec in self.spec.nodes:
            if not _matches(spec.when, row):
                continue
            node = self._node(spec, row, record, seen)
            if node is None:
                continue
            by_key[spec.key] = node
            result.nodes.append(node)
            if spec.local_id is not None:
                local = evaluate(spec.local_id, row)
                if local is None:
                    raise RowError(spec.local_id.column or "id", "empty id")
                result.local_ids.append((self.source, local, node.uid))
        for espec in self.spec.edges:
            if not _matches(espec.when, row):
                continue
            rtype = evaluate(espec.type, row)
            if rtype is None:
                raise RowError(espec.type.column or "type", "empty relationship type")
            rel = self.schema.relationships.get(rtype)
            if rel is None:
                raise RowError(espec.type.column or "type", f"unknown relationship type {rtype!r}")
            ends: list[str] = []
            pending: list[tuple[str, str]] = []
            skip = False
            for side, end in (("src", espec.src), ("dst", espec.dst)):
                if end.node is not None:
                    node = by_key.get(end.node)
                    if node is None:
                        skip = True  # an optional node that this row does not have
                        break
                    ends.append(node.uid)
                else:
                    local = row.get(end.ref or "")
                    if is_missing(local):
                        raise RowError(end.ref or side, "empty entity id")
                    assert local is not None
                    ends.append("")
                    pending.append((side, local.strip()))
            if skip:
                continue
            props: dict[str, Any] = {}
            for name, vspec in espec.properties.items():
                raw = evaluate(vspec, row)
                if raw is None:
                    continue
                try:
                    props[name] = self.normalise(
                        self.schema.relationship_properties[name].type, raw
                    )
                except ValueError as exc:
                    raise RowError(vspec.column or name, str(exc)) from None
            date = props.get("date") or props.get("start_date") or seen
            weight = float(props.get("weight", 1.0))
            if weight <= 0:
                raise RowError("weight", f"weight must be positive, got {weight}")
            index = len(result.edges)
            result.edges.append(
                EdgeRecord(ends[0], rtype, ends[1], props, self.source, record, date, weight)
            )
            for side, local in pending:
                result.refs.append((index, side, local))
        return result


def check_edge_labels(schema: Schema, edge: EdgeRecord) -> None:
    """After refs are resolved: does the schema allow this type between these labels?"""
    rel = schema.relationships[edge.type]
    src_label = edge.src.split(":", 1)[0]
    dst_label = edge.dst.split(":", 1)[0]
    if src_label not in rel.from_labels or dst_label not in rel.to_labels:
        raise RowError(
            "type",
            f"{edge.type} cannot go from {src_label} to {dst_label} "
            f"(allowed: {'/'.join(rel.from_labels)} -> {'/'.join(rel.to_labels)})",
        )


__all__ = ["SOURCE_RECORD", "RowProcessor", "RowResult", "check_edge_labels", "is_missing"]
