"""Erasure and retention on the Neo4j store (the ``ErasureBackend`` of Neo4jStore).

The rules are those of ``graph_model.store.sqlite_erasure`` — which nodes are the person's
artefacts, which provenance keys are anonymised, how analysis documents are scrubbed, which
quarantined rows and lines go — and so are the reports; the document scrubber, the matcher of
quarantined rows and the rewriting of quarantine files are that module's, shared. Here the same
rules act on the Neo4j layout (``graph_model.store.neo4j``): provenance and tie observations are
parallel lists on the node and the relationship, and the bookkeeping (``NodeResult``,
``Result``, ``QuarantineRow``, ``LocalId``, ``IngestRun``) are nodes whose documents and rows are
JSON text, parsed, scrubbed and written back.

One erasure is one write transaction, and so is the retention of one source: a transaction the
driver retries after a transient error runs again from the start, and each step is idempotent.

Differences from the SQLite backend, and why:

- the bytes: Neo4j has no ``VACUUM``. Deleted records are marked free and reused, and the
  transaction logs keep every change until the server prunes them
  (``db.tx_log.rotation.retention_policy``). The reports therefore say ``wal_truncated=False``
  and ``free_pages=0``; keep the server's data directory on an encrypted volume and set a short
  log retention where erasure must reach the disk quickly;
- tie observations keep no ingest time (``obs_dates`` is ``""`` when undated), so retention
  expires an *undated* observation only when every ingest run of its source started before the
  cutoff; SQLite uses the observation's own ingest time. Dated observations and all node
  provenance follow exactly the SQLite rule.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import neo4j
import orjson

from graph_model.identity import label_of
from graph_model.models import Node
from graph_model.schema import Schema
from graph_model.store.neo4j import KEY_SEPARATOR, Neo4jStore
from graph_model.store.sqlite_erasure import (
    _DROP,
    ERASED_RECORD_PREFIX,
    REFERENCE_LABELS,
    IdentifyingValues,
    _erase_quarantine_files,
    _replace_securely,
    scrub_document,
)
from ingest.normalise import fold_name
from netzicht.retention import ErasureReport, RetentionReport, SourceRetention

_CHUNK = 5_000
_DOCUMENT_LABELS = ("Result", "NodeResult")
T = TypeVar("T")


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Tx:
    """One write transaction of one store: named statements with the store's registry."""

    def __init__(self, store: Neo4jStore, tx: neo4j.ManagedTransaction) -> None:
        self.store = store
        self.tx = tx
        self.schema: Schema = store.schema

    def run(
        self, name: str, parameters: dict[str, Any] | None = None, **slots: str
    ) -> list[neo4j.Record]:
        return self.store._run(self.tx, name, parameters, properties=None, **slots)

    def by_label(self, uids: Iterable[str]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for uid in dict.fromkeys(uids):
            label = label_of(uid)
            if label in self.schema.nodes:
                grouped[label].append(uid)
        return grouped

    def node(self, uid: str) -> Node | None:
        label = label_of(uid)
        if label not in self.schema.nodes:
            return None
        records = self.run("get_node", {"uid": uid}, label=label)
        return Neo4jStore._node(records[0]["node"]) if records else None


def _transaction(store: Neo4jStore, work: Callable[[_Tx], T]) -> T:
    """Run ``work(_Tx)`` in one managed write transaction, after the store's pending writes."""
    store.drain()
    return store._write(lambda tx: work(_Tx(store, tx)))


# -- removing nodes and everything derived from them ---------------------------------------------


@dataclass
class _Removed:
    nodes: int = 0
    edges: int = 0
    observations: int = 0
    provenance: int = 0
    local_ids: int = 0
    node_results: int = 0


def _remove_nodes(t: _Tx, uids: Iterable[str]) -> tuple[_Removed, set[str]]:
    """Delete nodes with their ties, observations, provenance, local ids and node results.

    Returns the counts and the local ids that pointed at the nodes.
    """
    removed = _Removed()
    grouped = t.by_label(uids)
    wanted = [uid for group in grouped.values() for uid in group]
    if not wanted:
        return removed, set()
    # Ties first, label by label: a tie between two removed nodes is deleted (and counted) once.
    for label, group in sorted(grouped.items()):
        for chunk in _chunks(group):
            row = t.run("erase_ties", {"uids": list(chunk)}, label=label)[0]
            removed.edges += row["edges"]
            removed.observations += row["observations"] or 0
    for label, group in sorted(grouped.items()):
        for chunk in _chunks(group):
            row = t.run("erase_nodes", {"uids": list(chunk)}, label=label)[0]
            removed.nodes += row["nodes"]
            removed.provenance += row["provenance"] or 0
    local_ids: set[str] = set()
    for chunk in _chunks(wanted):
        rows = t.run("erase_local_ids", {"uids": list(chunk)})
        removed.local_ids += len(rows)
        local_ids.update(r["local_id"] for r in rows if r["local_id"])
        removed.node_results += t.run("erase_node_results", {"uids": list(chunk)})[0]["deleted"]
    return removed, local_ids


# -- scrubbing analysis documents -------------------------------------------------------------


def _scrub_results(t: _Tx, uids: frozenset[str], redact: tuple[str, ...]) -> int:
    """Rewrite every Result and NodeResult document that mentions an erased node."""
    if not uids:
        return 0
    needles = sorted({*uids, *redact})
    changed = 0
    for label in _DOCUMENT_LABELS:
        updates: list[dict[str, str]] = []
        drops: list[str] = []
        for record in t.run("erase_documents_mentioning", {"needles": needles}, label=label):
            text: str = record["document"]
            cleaned = scrub_document(json.loads(text), uids, redact)
            if cleaned is _DROP:
                drops.append(record["id"])
                continue
            new_text = orjson.dumps(cleaned, default=str).decode()
            if new_text != text:
                updates.append({"id": record["id"], "document": new_text})
        for chunk in _chunks(updates):
            t.run("erase_set_documents", {"rows": list(chunk)}, label=label)
        for chunk in _chunks(drops):
            t.run("erase_delete_by_id", {"ids": list(chunk)}, label=label)
        changed += len(updates) + len(drops)
    return changed


# -- erasure ------------------------------------------------------------------------------------


def _artefacts(t: _Tx, person: str, records: set[str]) -> set[str]:
    """Value-identified neighbours that exist only because of the person's own records."""
    found: set[str] = set()
    for record in t.run("erase_neighbours", {"uid": person}, label=label_of(person)):
        uid: str = record["uid"]
        label = label_of(uid)
        if label in REFERENCE_LABELS:
            continue
        node_def = t.schema.nodes.get(label)
        if node_def is None or node_def.keyed_by_source_record:
            continue
        provenance = set(record["prov_keys"])
        if not provenance or not provenance <= records:
            continue
        if all(label_of(other) in REFERENCE_LABELS for other in record["others"]):
            found.add(uid)
    return found


def _identifying_values(t: _Tx, nodes: Iterable[Node], person: str) -> IdentifyingValues:
    """The SQLite backend's identifying values, from the nodes read before they are removed."""
    values = IdentifyingValues()
    parts = person.split(":", 2)
    if len(parts) == 3 and parts[2]:
        values.ids.add(parts[2])  # the record id in the source: Person:police:P-0042
    for node in nodes:
        node_def = t.schema.nodes.get(node.label)
        if node.uid == person:
            if node.name:
                values.names.add(fold_name(node.name))
                values.stored.add(node.name)
            birth = node.properties.get("birth_date")
            if isinstance(birth, str) and birth:
                values.dates.add(birth)
            document = node.properties.get("document_number")
            if isinstance(document, str) and document:
                values.add_number("string", document)
        elif node_def is not None and len(node_def.identity) == 1:
            prop = node_def.identity[0]
            value = node.properties.get(prop)
            if isinstance(value, str) and prop in node_def.properties:
                values.add_number(node_def.properties[prop].type, value)
    return values


def _anonymise_records(t: _Tx, sources: set[str], ids: set[str]) -> int:
    """Replace kept provenance/observation record ids that spell out one of ``ids``."""
    if not ids or not sources:
        return 0
    pattern = re.compile(
        "|".join(rf"(?<![A-Za-z0-9]){re.escape(i)}(?![A-Za-z0-9])" for i in sorted(ids))
    )
    params = {"prefixes": [f"{s}{KEY_SEPARATOR}" for s in sorted(sources)], "ids": sorted(ids)}
    tokens: dict[str, str] = {}

    def rewrite(keys: list[str]) -> tuple[list[str], int]:
        out: list[str] = []
        changed = 0
        for key in keys:
            source, _, record = key.partition(KEY_SEPARATOR)
            if source in sources and pattern.search(record):
                token = tokens.setdefault(key, f"{ERASED_RECORD_PREFIX}{uuid.uuid4().hex[:16]}")
                out.append(f"{source}{KEY_SEPARATOR}{token}")
                changed += 1
            else:
                out.append(key)
        return out, changed

    def retoken(find: str, store: str, id_field: str, **placeholder: str) -> int:
        """Rewrite the record keys of every node (or tie) `find` returns; count the keys."""
        rows: list[dict[str, Any]] = []
        count = 0
        for record in t.run(find, params, **placeholder):
            keys, changed = rewrite(record["keys"])
            if changed:
                rows.append({id_field: record[id_field], "keys": keys})
                count += changed
        for chunk in _chunks(rows):
            t.run(store, {"rows": list(chunk)}, **placeholder)
        return count

    total = sum(
        retoken("erase_records_naming_nodes", "erase_set_prov_keys", "uid", label=label)
        for label in sorted(t.schema.nodes)
    )
    total += sum(
        retoken("erase_records_naming_ties", "erase_set_obs_keys", "id", type=rel)
        for rel in sorted(t.schema.relationships)
    )
    return total


def _runs_of(t: _Tx, sources: Iterable[str]) -> list[tuple[str, str, str]]:
    """(run_id, source, started) of every ingest run of the sources, by run id."""
    wanted = sorted(set(sources))
    if not wanted:
        return []
    return [
        (r["run_id"], r["source"], r["started"])
        for r in t.run("erase_runs_of_sources", {"sources": wanted})
    ]


def _erase_quarantine_rows(t: _Tx, runs: list[str], values: IdentifyingValues) -> int:
    if not runs:
        return 0
    doomed = [
        r["id"]
        for r in t.run("erase_quarantine_of_runs", {"runs": runs})
        if values.matches(json.loads(r["row"]))
    ]
    removed = 0
    for chunk in _chunks(doomed):
        removed += t.run("erase_delete_by_id", {"ids": list(chunk)}, label="QuarantineRow")[0][
            "deleted"
        ]
    return removed


def erase_person(store: Neo4jStore, uid: str, quarantine_dir: Path | None = None) -> ErasureReport:
    """Remove a person and everything derived from them (the SQLite backend's rule).

    Re-running it for an erased uid finds nothing and removes nothing, but still scrubs the uid
    from results (a safe way to finish an interrupted erasure).
    """

    def work(t: _Tx) -> tuple[ErasureReport, list[str], IdentifyingValues]:
        report = ErasureReport()
        person = t.node(uid)
        report.found = person is not None
        records = (
            {f"{s.source}{KEY_SEPARATOR}{s.record}" for s in person.sources} if person else set()
        )
        artefacts = _artefacts(t, uid, records) if person is not None else set()
        erased = {uid} | artefacts
        nodes = [n for n in (t.node(u) for u in sorted(erased)) if n is not None]
        values = _identifying_values(t, nodes, uid)
        removed, local_ids = _remove_nodes(t, erased)
        values.ids.update(local_ids)
        report.nodes, report.artefact_nodes = removed.nodes, len(artefacts)
        report.edges, report.observations = removed.edges, removed.observations
        report.provenance, report.local_ids = removed.provenance, removed.local_ids
        report.node_results = removed.node_results
        sources = {key.partition(KEY_SEPARATOR)[0] for key in records}
        report.provenance_anonymised = _anonymise_records(t, sources, values.ids)
        report.results_scrubbed = _scrub_results(
            t, frozenset(erased), (*sorted(erased, key=len, reverse=True), *values.redactions())
        )
        runs: list[str] = []
        if values:
            runs = [run_id for run_id, _, _ in _runs_of(t, sources)]
            report.quarantine_rows = _erase_quarantine_rows(t, runs, values)
        return report, runs, values

    report, runs, values = _transaction(store, work)
    if quarantine_dir is not None and runs:
        report.quarantine_lines, report.files_rewritten = _erase_quarantine_files(
            quarantine_dir, runs, values
        )
    # No VACUUM here: see the module docstring (transaction logs, reused records).
    report.wal_truncated, report.free_pages = False, 0
    return report


# -- retention ----------------------------------------------------------------------------------


def _expire_source(t: _Tx, source: str, cutoff: str, result: SourceRetention) -> list[str]:
    """Delete the source's expired provenance and what it leaves orphaned; return expired runs."""
    runs = _runs_of(t, [source])
    prefix = f"{source}{KEY_SEPARATOR}"
    # Undated tie observations keep no ingest time: they expire once every run of the source has.
    undated_expired = bool(runs) and all(started[:10] < cutoff for _, _, started in runs)
    orphans: set[str] = set()
    for label in sorted(t.schema.nodes):
        for record in t.run(
            "retention_expire_nodes", {"prefix": prefix, "cutoff": cutoff}, label=label
        ):
            result.provenance += record["expired"]
            if record["orphan"]:
                orphans.add(record["uid"])
    empty_edges = 0
    for rel in sorted(t.schema.relationships):
        params = {"prefix": prefix, "cutoff": cutoff, "undated_expired": undated_expired}
        row = t.run("retention_expire_ties", params, type=rel)[0]
        result.observations += row["observations"] or 0
        empty_edges += row["edges"] or 0
    removed, _ = _remove_nodes(t, orphans)
    result.nodes, result.node_results = removed.nodes, removed.node_results
    result.observations += removed.observations
    result.edges = removed.edges + empty_edges
    result.results_scrubbed = _scrub_results(t, frozenset(orphans), ())
    expired = [run_id for run_id, _, started in runs if started[:10] < cutoff]
    if expired:
        ids = [r["id"] for r in t.run("erase_quarantine_of_runs", {"runs": expired})]
        for chunk in _chunks(ids):
            result.quarantine_rows += t.run(
                "erase_delete_by_id", {"ids": list(chunk)}, label="QuarantineRow"
            )[0]["deleted"]
    return expired


def apply_retention(
    store: Neo4jStore,
    retention_days: Mapping[str, int],
    today: dt.date,
    quarantine_dir: Path | None = None,
) -> RetentionReport:
    """Purge, per source, what is older than its retention period. Idempotent."""
    report = RetentionReport(today=today.isoformat(), wal_truncated=False)
    for source, days in sorted(retention_days.items()):
        cutoff = (today - dt.timedelta(days=days)).isoformat()

        def work(
            t: _Tx, source: str = source, days: int = days, cutoff: str = cutoff
        ) -> tuple[SourceRetention, list[str]]:
            result = SourceRetention(retention_days=days, cutoff=cutoff)
            return result, _expire_source(t, source, cutoff, result)

        result, expired_runs = _transaction(store, work)
        if quarantine_dir is not None:
            for run_id in expired_runs:
                directory = quarantine_dir / run_id
                if not directory.is_dir():
                    continue
                for path in sorted(directory.glob("*.quarantine.jsonl")):
                    _replace_securely(path, None)
                    result.quarantine_files += 1
                if not any(directory.iterdir()):
                    directory.rmdir()
        report.sources[source] = result
    return report
