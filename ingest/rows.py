"""Turn one input row into node and edge records, or a RowError that names the field.

A row is all or nothing: if any part of it is bad (an unparsable phone, an unknown relationship
type, an empty id) the whole row goes to quarantine, so the graph never holds half a record.

Speed matters here (an ingest maps millions of rows), so a FileSpec is compiled once per file:
every ValueSpec becomes a closure (ingest/values.py), every normaliser gets a per-file cache,
and a node's content (uid, label, name, properties — or the error it raises) is remembered per
distinct combination of the raw values it is built from. Exports repeat the same phones,
accounts, addresses and regions on many rows; for those only the per-row parts (record, seen)
are filled in.
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
from ingest.mapping import EdgeSpec, FileSpec, NodeSpec
from ingest.normalise import NORMALISERS, normalise_region
from ingest.values import (
    MISSING,
    Getter,
    Row,
    compile_condition,
    compile_value,
    evaluate,
    is_missing,
)
from netzicht.errors import RowError

_MISS = object()
_CACHE_LIMIT = 500_000
# After this many distinct inputs a node memo that is rarely hit (ids unique per row) is
# dropped: it would only cost a key and a dict entry per row.
_MEMO_PROBE = 4096
Pseudonymise = Callable[[str, str], str]
Seal = Callable[[dict[str, Any]], str]  # raw values → an encrypted token (the vault)
Normaliser = Callable[[str], Any]
NodeCore = tuple[str, str, str, dict[str, Any]]  # uid, label, name, properties


def row_fingerprint(row: Row) -> str:
    """A record id for rows without one: the same content gives the same id on every run."""
    joined = "\x1f".join(f"{k}\x1e{v}" for k, v in sorted(row.items()))
    return blake2b(joined.encode(), digest_size=8).hexdigest()


class _Bad:
    """A remembered failure: the field and reason to raise again for the same input."""

    __slots__ = ("field", "message")

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message


def _cached(normaliser: Callable[[str], object]) -> Normaliser:
    # Exports repeat the same values (phones, IBANs, dates) many times; remember each answer,
    # errors included, so a value is parsed once per file.
    cache: dict[str, Any] = {}

    def normalise(value: str) -> Any:
        out = cache.get(value, _MISS)
        if out is _MISS:
            try:
                parsed = normaliser(value)
                out = parsed.isoformat() if isinstance(parsed, dt.date) else parsed
            except ValueError as exc:
                out = _Bad("", str(exc))
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[value] = out
        if out.__class__ is _Bad:
            raise ValueError(out.message)
        return out

    return normalise


class _NodePlan:
    """One NodeSpec, compiled; for a fixed label its schema entry is looked up once, here."""

    __slots__ = (
        "columns",
        "hits",
        "key",
        "label",
        "label_field",
        "local_field",
        "local_id",
        "memo",
        "node_def",
        "props",
        "record",
        "record_field",
        "required",
        "typed_props",
        "when",
    )

    def __init__(
        self, spec: NodeSpec, memoise: bool, schema: Schema, normalisers: dict[str, Normaliser]
    ) -> None:
        self.key = spec.key
        self.when = compile_condition(spec.when)
        self.label = compile_value(spec.label)
        self.label_field = spec.label.column or spec.key
        self.props = [
            (name, compile_value(v), v.column or name) for name, v in spec.properties.items()
        ]
        self.record = compile_value(spec.record) if spec.record is not None else None
        self.record_field = (
            spec.record.columns[0] if spec.record and spec.record.columns else spec.key
        )
        self.local_id = compile_value(spec.local_id) if spec.local_id is not None else None
        self.local_field = (spec.local_id.column or "id") if spec.local_id is not None else "id"
        self.required = spec.required
        inputs = [spec.label, spec.record, *spec.properties.values()]
        self.columns = tuple(dict.fromkeys(c for v in inputs if v is not None for c in v.columns))
        self.memo: dict[tuple[str | None, ...], NodeCore | _Bad | None] | None = (
            {} if memoise else None
        )
        self.hits = 0
        self.node_def = schema.nodes.get(spec.label.value) if spec.label.value else None
        # (name, getter, field, normaliser) of the properties the fixed label has
        self.typed_props: list[tuple[str, Getter, str, Normaliser]] = []
        if self.node_def is not None:
            known = self.node_def.properties
            self.typed_props = [
                (name, get, field_name, normalisers[known[name].type])
                for name, get, field_name in self.props
                if name in known
            ]


class _EdgePlan:
    """One EdgeSpec, compiled; endpoint types are looked up in the schema once, here."""

    __slots__ = (
        "dst_node",
        "dst_ref",
        "props",
        "src_node",
        "src_ref",
        "type",
        "type_field",
        "when",
    )

    def __init__(self, spec: EdgeSpec, schema: Schema) -> None:
        self.when = compile_condition(spec.when)
        self.type = compile_value(spec.type)
        self.type_field = spec.type.column or "type"
        self.src_node, self.src_ref = spec.src.node, spec.src.ref
        self.dst_node, self.dst_ref = spec.dst.node, spec.dst.ref
        self.props = [
            (name, compile_value(v), v.column or name, schema.relationship_properties[name].type)
            for name, v in spec.properties.items()
        ]


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
        sealer: Seal | None = None,
    ) -> None:
        self.sealer = sealer
        self.spec = spec
        self.schema = schema
        self.source = source
        self.pseudonymise = pseudonymise or {}
        self.pseudonymiser = pseudonymiser
        normalisers: dict[str, Callable[[str], object]] = dict(NORMALISERS)
        normalisers["region"] = partial(normalise_region, regions=schema.regions)
        self._normalisers = {name: _cached(fn) for name, fn in normalisers.items()}
        self._record: Getter | None = None
        self._record_field = "record"
        if spec.record is not None:
            self._record = compile_value(spec.record)
            self._record_field = spec.record.columns[0] if spec.record.columns else "record"
        self._nodes = [
            _NodePlan(n, self._may_memoise(n), schema, self._normalisers) for n in spec.nodes
        ]
        self._edges = [_EdgePlan(e, schema) for e in spec.edges]

    def _may_memoise(self, spec: NodeSpec) -> bool:
        # The pseudonymiser is called exactly as before (once per node per row): it is another
        # component's hook, and nothing here may assume how often it can be skipped.
        if self.pseudonymiser is None or not self.pseudonymise:
            return True
        return spec.label.value is not None and spec.label.value not in self.pseudonymise

    def normalise(self, type_name: str, value: str) -> Any:
        return self._normalisers[type_name](value)

    def _seen(self, row: Row) -> str | None:
        for column in self.spec.seen:
            raw = row.get(column)
            if not is_missing(raw):
                assert raw is not None
                try:
                    return str(self._normalisers["date"](raw))
                except ValueError as exc:
                    raise RowError(column, str(exc)) from None
        return None

    def _build(self, plan: _NodePlan, row: Row) -> NodeCore | None:
        """A node's content from the row, or None when an optional node is absent."""
        props: dict[str, Any] = {}
        node_def = plan.node_def
        if node_def is not None:
            label = node_def.label
            for name, get, field_name, normalise in plan.typed_props:
                raw = get(row)
                if raw is None:
                    continue
                try:
                    props[name] = normalise(raw)
                except ValueError as exc:
                    raise RowError(field_name, str(exc)) from None
        else:
            label_value = plan.label(row)
            if label_value is None:
                if plan.required:
                    raise RowError(plan.label_field, "empty node label")
                return None
            label = label_value
            node_def = self.schema.nodes.get(label)
            if node_def is None:
                raise RowError(plan.label_field, f"unknown node label {label!r}")
            for name, get, field_name in plan.props:
                prop = node_def.properties.get(name)
                if prop is None:
                    continue  # a dynamic label without this property
                raw = get(row)
                if raw is None:
                    continue
                try:
                    props[name] = self._normalisers[prop.type](raw)
                except ValueError as exc:
                    raise RowError(field_name, str(exc)) from None
        to_hide = self.pseudonymise.get(label, ())
        if to_hide and self.pseudonymiser is not None:
            raw_values = {name: props[name] for name in to_hide if name in props}
            for name in raw_values:
                props[name] = self.pseudonymiser(f"{label}.{name}", str(props[name]))
            # The raw values stay only encrypted, for re-identification by authorised roles.
            if raw_values and self.sealer is not None and "sealed" in node_def.properties:
                props["sealed"] = self.sealer(raw_values)
            props["pseudonymised"] = True if "pseudonymised" in node_def.properties else None
            props = {k: v for k, v in props.items() if v is not None}
        if node_def.keyed_by_source_record:
            rec = plan.record(row) if plan.record is not None else None
            if rec is None:
                if plan.required:
                    raise RowError(plan.record_field, f"empty id for {label}")
                return None
            uid = source_record_uid(label, self.source, rec)
        else:
            values = []
            for key in node_def.identity:
                value = props.get(key)
                if value is None:
                    if plan.required:
                        raise RowError(key, f"missing {key} for {label}")
                    return None
                values.append(str(value))
            uid = node_uid(label, tuple(values))
        return uid, label, str(props.get(node_def.display, "")), props

    def _remember(
        self, plan: _NodePlan, memo: dict[Any, Any], key: tuple[str | None, ...], row: Row
    ) -> NodeCore | None:
        try:
            core: NodeCore | _Bad | None = self._build(plan, row)
        except RowError as exc:
            core = _Bad(exc.field, exc.message)
        # A braced value may be filled in from other columns by a template (see
        # values.template), so the node would not depend on `key` alone: not remembered.
        if not any(v is not None and ("{" in v or "}" in v) for v in key):
            if len(memo) >= _CACHE_LIMIT:
                memo.clear()
            memo[key] = core
            if len(memo) == _MEMO_PROBE and plan.hits < _MEMO_PROBE // 4:
                plan.memo = None
        if core.__class__ is _Bad:
            raise RowError(core.field, core.message)  # type: ignore[union-attr]
        return core  # type: ignore[return-value]

    def process(self, row: Row) -> RowResult:
        result = RowResult()
        if self._record is not None:
            record = self._record(row)
            if record is None:
                raise RowError(self._record_field, "empty id")
        else:
            record = None
        record = record or row_fingerprint(row)
        seen = self._seen(row) if self.spec.seen else None
        source = self.source
        by_key: dict[str, str] = {}
        nodes = result.nodes
        for plan in self._nodes:
            if plan.when is not None and not plan.when(row):
                continue
            memo = plan.memo
            core: Any
            if memo is None:
                core = self._build(plan, row)
            else:
                key = tuple(map(row.get, plan.columns))
                core = memo.get(key, _MISS)
                if core is _MISS:
                    core = self._remember(plan, memo, key, row)
                else:
                    plan.hits += 1
                    if core.__class__ is _Bad:
                        raise RowError(core.field, core.message)
            if core is None:
                continue
            uid, label, name, props = core
            # Records of one node share its properties dict: stores copy before merging.
            nodes.append(NodeRecord(uid, label, name, props, source, record, seen))
            by_key[plan.key] = uid
            if plan.local_id is not None:
                local = plan.local_id(row)
                if local is None:
                    raise RowError(plan.local_field, "empty id")
                result.local_ids.append((source, local, uid))
        if self._edges:
            self._process_edges(row, result, by_key, record, seen)
        return result

    def _process_edges(
        self, row: Row, result: RowResult, by_key: dict[str, str], record: str, seen: str | None
    ) -> None:
        relationships = self.schema.relationships
        for plan in self._edges:
            if plan.when is not None and not plan.when(row):
                continue
            rtype = plan.type(row)
            if rtype is None:
                raise RowError(plan.type_field, "empty relationship type")
            if rtype not in relationships:
                raise RowError(plan.type_field, f"unknown relationship type {rtype!r}")
            pending: list[tuple[str, str]] = []
            src = self._end(row, plan.src_node, plan.src_ref, "src", by_key, pending)
            if src is None:
                continue  # an optional node that this row does not have
            dst = self._end(row, plan.dst_node, plan.dst_ref, "dst", by_key, pending)
            if dst is None:
                continue
            props: dict[str, Any] = {}
            for name, get, field_name, type_name in plan.props:
                raw = get(row)
                if raw is None:
                    continue
                try:
                    props[name] = self._normalisers[type_name](raw)
                except ValueError as exc:
                    raise RowError(field_name, str(exc)) from None
            date = props.get("date") or props.get("start_date") or seen
            weight = float(props.get("weight", 1.0))
            if weight <= 0:
                raise RowError("weight", f"weight must be positive, got {weight}")
            index = len(result.edges)
            result.edges.append(
                EdgeRecord(src, rtype, dst, props, self.source, record, date, weight)
            )
            for side, local in pending:
                result.refs.append((index, side, local))

    @staticmethod
    def _end(
        row: Row,
        node: str | None,
        ref: str | None,
        side: str,
        by_key: dict[str, str],
        pending: list[tuple[str, str]],
    ) -> str | None:
        """The endpoint uid; "" for a local id to resolve later; None for an absent node."""
        if node is not None:
            return by_key.get(node)
        local = row.get(ref or "")
        if is_missing(local):
            raise RowError(ref or side, "empty entity id")
        assert local is not None
        pending.append((side, local.strip()))
        return ""


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


__all__ = [
    "MISSING",
    "SOURCE_RECORD",
    "RowProcessor",
    "RowResult",
    "check_edge_labels",
    "evaluate",
    "is_missing",
]
