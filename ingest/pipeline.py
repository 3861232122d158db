"""The batch ingest: read → map → validate/normalise → quarantine bad rows → batch upsert.

Every row read is either written or quarantined with its file, line, field and reason, so the
summary always balances: rows_read = rows_ingested + rows_quarantined, per file.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from graph_model.schema import Schema, load_schema
from graph_model.store.base import (
    EdgeRecord,
    GraphStore,
    IngestRunSummary,
    QuarantineRecord,
    WriteBatch,
)
from ingest import parallel
from ingest.mapping import FileSpec, Mapping, load_mapping
from ingest.readers import BadRow, Table, open_table
from ingest.rows import Pseudonymise, RowProcessor, RowResult, Seal, check_edge_labels
from netzicht.errors import InputFileError, RowError

DEFAULT_BATCH_ROWS = 20_000
# A file's first batch is this small, so that the store has work soon after the file starts
# (mapping 20,000 rows takes seconds, and between runs, or after a small file, the store has
# nothing else to do meanwhile); the batches after it are `batch_rows` long.
FIRST_BATCH_ROWS = 1_000
# Batches mapped ahead of the writer; bounds memory while both threads stay busy. Deep enough
# that workers keep mapping while the store merges what it has staged (seconds at 1M rows).
_WRITES_AHEAD = 16
# An ingest makes a few short-lived containers per row and holds large, acyclic indexes; with
# the default thresholds the collector runs every 700 allocations and walks those indexes often,
# which cost about a quarter of the mapping time, and finds nothing. Set for the run, restored.
GC_THRESHOLDS = (50_000, 20, 100)
Progress = Callable[[str, int], None]  # (file name, rows done so far in this file)


@dataclass
class FileSummary:
    path: str
    kind: str
    rows_read: int = 0
    rows_ingested: int = 0
    rows_quarantined: int = 0
    quarantine_file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_ingested": self.rows_ingested,
            "rows_quarantined": self.rows_quarantined,
            "quarantine_file": self.quarantine_file,
        }


@dataclass
class IngestSummary:
    run_id: str
    source: str
    mapping: str
    files: list[FileSummary] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_ingested(self) -> int:
        return sum(f.rows_ingested for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "source": self.source,
            "mapping": self.mapping,
            "rows_read": self.rows_read,
            "rows_ingested": self.rows_ingested,
            "rows_quarantined": self.rows_quarantined,
            "files": [f.as_dict() for f in self.files],
        }


def plan(paths: Sequence[Path], mapping: Mapping) -> list[tuple[Table, FileSpec]]:
    """Open every file and match it to the mapping before anything is written."""
    planned: list[tuple[Table, FileSpec]] = []
    for path in paths:
        table = open_table(path)
        spec = mapping.file_for_header(table.header)
        if spec is None:
            expected = "; ".join(f"{f.kind}: {', '.join(f.header)}" for f in mapping.files)
            raise InputFileError(
                f"{path}: line 1: the header ({', '.join(table.header)}) matches no file kind of "
                f"mapping {mapping.name!r} (expected columns — {expected})"
            )
        planned.append((table, spec))
    # Entities before the relations that refer to them, whatever order the paths came in.
    return sorted(planned, key=lambda item: item[1].order)


Rejected = tuple[int, str, str, "dict[str, str] | str"]  # line, field, reason, the row


@dataclass(slots=True)
class Chunk:
    """Rows of one file, mapped: the batch to write (or, from a worker process, the store's
    prepared form of it), the rows rejected and the counts."""

    rows_read: int
    rows_ingested: int
    rejected: list[Rejected]
    batch: WriteBatch | None = None
    prepared: Any = None
    local_ids: list[tuple[str, str, str]] = field(default_factory=list)


class _Quarantine:
    """Quarantined rows of one file: a JSON Lines file on disk and rows in the store."""

    def __init__(self, directory: Path, table: Table) -> None:
        self.path = directory / f"{table.path.name}.quarantine.jsonl"
        self.table = table
        self._handle: IO[str] | None = None
        self.pending: list[QuarantineRecord] = []

    def add(self, line: int, field_name: str, reason: str, row: dict[str, str] | str) -> None:
        record = QuarantineRecord(
            file=str(self.table.path),
            line=line,
            field=field_name,
            reason=reason,
            row=row if isinstance(row, dict) else {"raw": row},
        )
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Kept open across batches and closed in close(), so no context manager here.
            self._handle = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        self._handle.write(
            json.dumps(
                {
                    "file": record.file,
                    "line": line,
                    "field": field_name,
                    "reason": reason,
                    "row": record.row,
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        self.pending.append(record)

    def close(self) -> str | None:
        if self._handle is None:
            return None
        self._handle.close()
        return str(self.path)


class _Writer:
    """Store writes, in order, on one background thread when the store allows it.

    A store that sets `background_writes = True` (SQLiteStore: SQLite releases the GIL while it
    inserts) writes batch n while the next batch is read and mapped. Otherwise, and for any
    store without the flag, writes run inline as before. An error in a write is raised in the
    ingesting thread at its next submit or sync; writes queued after it are skipped.
    """

    def __init__(self, background: bool) -> None:
        self._error: BaseException | None = None
        self._queue: queue.Queue[Callable[[], None] | None] | None = None
        self._thread: threading.Thread | None = None
        if background:
            self._queue = queue.Queue(maxsize=_WRITES_AHEAD)
            self._thread = threading.Thread(target=self._work, name="ingest-writer", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        assert self._queue is not None
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as exc:  # handed to the ingesting thread, raised there
                self._error = exc
            finally:
                self._queue.task_done()

    def _raise(self) -> None:
        # The error stays: jobs queued behind a failed write are skipped, as they would never
        # have been submitted had the write run inline.
        if self._error is not None:
            raise self._error

    def submit(self, job: Callable[[], None]) -> None:
        self._raise()
        if self._queue is None:
            job()
        else:
            self._queue.put(job)

    def sync(self) -> None:
        """Wait until every submitted write is done (before reading the store)."""
        if self._queue is not None:
            self._queue.join()
        self._raise()

    def close(self) -> None:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = self._thread = None


class Ingestor:
    def __init__(
        self,
        store: GraphStore,
        mapping: Mapping,
        source: str,
        quarantine_dir: Path,
        *,
        schema: Schema | None = None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        first_batch_rows: int = FIRST_BATCH_ROWS,
        pseudonymiser: Pseudonymise | None = None,
        sealer: Seal | None = None,
        progress: Progress | None = None,
        workers: int | None = None,
        parallel_min_bytes: int = parallel.MIN_FILE_BYTES,
    ) -> None:
        self.store = store
        self.mapping = mapping
        self.source = source
        self.schema = schema or load_schema()
        self.quarantine_dir = quarantine_dir
        self.batch_rows = batch_rows
        self.first_batch_rows = first_batch_rows
        self.pseudonymiser = pseudonymiser
        self.sealer = sealer
        self.progress = progress
        # Worker processes that map a large file (ingest/parallel.py); None: one per core.
        self.workers = parallel.default_workers() if workers is None else workers
        self.parallel_min_bytes = parallel_min_bytes
        self.local_index: dict[str, str] = {}
        # (type, source label, target label) -> the RowError message, or None when allowed
        self._label_checks: dict[tuple[str, str, str], str | None] = {}
        self._writer = _Writer(False)

    def run(self, paths: Sequence[Path]) -> IngestSummary:
        if self.mapping.pseudonymise and self.pseudonymiser is None:
            self.pseudonymiser, self.sealer = keys_from_environment(self.mapping.name)
        planned = plan(paths, self.mapping)
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run_id = self.store.begin_run(self.source, self.mapping.name, started)
        summary = IngestSummary(run_id, self.source, self.mapping.name)
        self._writer = _Writer(bool(getattr(self.store, "background_writes", False)))
        thresholds = gc.get_threshold()
        try:
            gc.set_threshold(*GC_THRESHOLDS)
            for table, spec in planned:
                summary.files.append(self._ingest_file(run_id, table, spec, started))
            self._writer.sync()
        finally:
            gc.set_threshold(*thresholds)
            self._writer.close()
        self.store.finish_run(
            IngestRunSummary(
                run_id=run_id,
                source=self.source,
                mapping=self.mapping.name,
                started=started,
                finished=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                rows_read=summary.rows_read,
                rows_ingested=summary.rows_ingested,
                rows_quarantined=summary.rows_quarantined,
                files=[f.as_dict() for f in summary.files],
            )
        )
        return summary

    def processor(self, spec: FileSpec) -> RowProcessor:
        return RowProcessor(
            spec,
            self.schema,
            self.source,
            self.mapping.pseudonymise,
            self.pseudonymiser,
            self.sealer,
        )

    def _ingest_file(
        self, run_id: str, table: Table, spec: FileSpec, ingested_at: str
    ) -> FileSummary:
        summary = FileSummary(path=str(table.path), kind=spec.kind)
        quarantine = _Quarantine(self.quarantine_dir / run_id, table)
        workers = parallel.workers_for(self, table, spec)
        if workers > 1:
            chunks = parallel.map_file(self, table, spec, workers)
        else:
            chunks = self._map_file(table, spec)
        for chunk in chunks:
            self._apply(run_id, chunk, quarantine, summary, ingested_at)
            if self.progress is not None:
                self.progress(table.path.name, summary.rows_read)
        summary.quarantine_file = quarantine.close()
        summary.rows_quarantined = summary.rows_read - summary.rows_ingested
        return summary

    def _map_file(self, table: Table, spec: FileSpec) -> Iterator[Chunk]:
        """The file's rows mapped here, a batch of `batch_rows` ingested rows at a time (the first
        one shorter: `first_batch_rows`)."""
        processor = self.processor(spec)
        pending: list[tuple[int, dict[str, str], RowResult]] = []
        rejected: list[Rejected] = []
        read = 0
        size = min(self.first_batch_rows, self.batch_rows)
        for line, row in table.rows():
            read += 1
            self.map_row(processor, line, row, pending, rejected)
            if len(pending) >= size:
                yield self.chunk(pending, rejected, read)
                pending, rejected, read = [], [], 0
                size = self.batch_rows
        yield self.chunk(pending, rejected, read)

    @staticmethod
    def map_row(
        processor: RowProcessor,
        line: int,
        row: dict[str, str] | BadRow,
        pending: list[tuple[int, dict[str, str], RowResult]],
        rejected: list[Rejected],
    ) -> None:
        if isinstance(row, BadRow):
            rejected.append((line, row.field, row.reason, row.raw))
            return
        try:
            result = processor.process(row)
        except RowError as exc:
            rejected.append((line, exc.field, exc.message, row))
            return
        if not result.nodes and not result.edges:
            rejected.append((line, "", "the row produces no node or edge", row))
            return
        pending.append((line, row, result))

    def chunk(
        self,
        pending: list[tuple[int, dict[str, str], RowResult]],
        rejected: list[Rejected],
        rows_read: int,
    ) -> Chunk:
        """Mapped rows as one batch: entity ids resolved, endpoint labels checked."""
        unresolved = {
            local for _, _, r in pending for _, _, local in r.refs if local not in self.local_index
        }
        if unresolved:
            self.local_index.update(self._resolve_local_ids(unresolved))
        batch = WriteBatch()
        checks = self._label_checks
        ingested = 0
        for line, row, result in pending:
            try:
                for index, side, local in result.refs:
                    uid = self.local_index.get(local)
                    if uid is None:
                        raise RowError(
                            "source" if side == "src" else "target",
                            f"entity {local!r} is not in source {self.source!r}",
                        )
                    setattr(result.edges[index], side, uid)
                for edge in result.edges:
                    key = (edge.type, edge.src.partition(":")[0], edge.dst.partition(":")[0])
                    failure = checks.get(key, "")
                    if failure == "":
                        failure = self._check_labels(edge, key)
                    if failure is not None:
                        raise RowError("type", failure)
            except RowError as exc:
                rejected.append((line, exc.field, exc.message, row))
                continue
            batch.nodes.extend(result.nodes)
            batch.edges.extend(result.edges)
            batch.local_ids.extend(result.local_ids)
            for _, local, uid in result.local_ids:
                self.local_index[local] = uid
            ingested += 1
        return Chunk(rows_read, ingested, rejected, batch)

    def sync_writes(self) -> None:
        """Wait until every write handed to the writer thread is done."""
        self._writer.sync()

    def _resolve_local_ids(self, local_ids: set[str]) -> dict[str, str]:
        self._writer.sync()  # ids written by earlier batches must be readable
        return self.store.resolve_local_ids(self.source, local_ids)

    def _apply(
        self,
        run_id: str,
        chunk: Chunk,
        quarantine: _Quarantine,
        summary: FileSummary,
        ingested_at: str,
    ) -> None:
        """Account for a chunk and hand its writes to the writer, in file order."""
        for line, field_name, reason, row in chunk.rejected:
            quarantine.add(line, field_name, reason, row)
        summary.rows_read += chunk.rows_read
        summary.rows_ingested += chunk.rows_ingested
        store: Any = self.store
        batch, prepared = chunk.batch, chunk.prepared
        if prepared is not None:  # mapped and prepared by a worker process
            for _, local, uid in chunk.local_ids:
                self.local_index[local] = uid
            self._writer.submit(lambda: store.write_prepared(prepared, ingested_at))
        elif batch is not None and (len(batch) or batch.local_ids):
            if hasattr(store, "write_prepared"):  # staged; merged at the latest by finish_run
                self._writer.submit(
                    lambda: store.write_prepared(store.prepare_write(batch), ingested_at)
                )
            else:
                self._writer.submit(lambda: store.write_batch(batch, ingested_at))
        if quarantine.pending:
            rows = quarantine.pending
            self._writer.submit(lambda: store.add_quarantine(run_id, rows))
            quarantine.pending = []

    def _check_labels(self, edge: EdgeRecord, key: tuple[str, str, str]) -> str | None:
        # Remembered per (type, labels): the answer only depends on those three.
        try:
            check_edge_labels(self.schema, edge)
            failure = None
        except RowError as exc:
            failure = exc.message
        self._label_checks[key] = failure
        return failure


def keys_from_environment(mapping: str) -> tuple[Pseudonymise, Seal]:
    """The pseudonymiser and vault for a mapping that requires them, from the environment.

    Keys never come from the repository: NETZICHT_PSEUDONYM_KEY[_FILE] and
    NETZICHT_VAULT_KEY[_FILE] (`netzicht demo` creates local key files).
    """
    from netzicht.errors import NetzichtError
    from netzicht.privacy.pseudonymise import Pseudonymiser, Vault

    try:
        pseudonymiser, vault = Pseudonymiser.from_env(), Vault.from_env()
    except NetzichtError as exc:
        raise InputFileError(
            f"mapping {mapping!r} requires pseudonymisation, but the keys are missing: {exc}"
        ) from exc

    def seal(values: dict[str, Any]) -> str:
        return vault.seal(json.dumps(values, sort_keys=True, default=str))

    return pseudonymiser.pseudonym, seal


def ingest_paths(
    store: GraphStore,
    paths: Sequence[Path],
    source: str,
    mapping: str | Path | Mapping,
    quarantine_dir: Path,
    **options: Any,
) -> IngestSummary:
    loaded = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    return Ingestor(store, loaded, source, quarantine_dir, **options).run(paths)
