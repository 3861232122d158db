"""Mapping a large file in worker processes while the ingesting process writes.

Why: mapping a row (parse, normalise, build records) and merging a batch into table rows are
Python, ~150 µs a row together, and one interpreter runs one of them at a time, so a single
process keeps one core busy however many the machine has. Here each of n forked workers reads
the file and maps every n-th chunk of `batch_rows` rows (chunk i goes to worker i mod n),
resolves and checks the chunk as `Ingestor.chunk` does, and merges it with the store's
`prepare_write`. The ingesting process takes the chunks in file order, writes them with
`write_prepared` and quarantines the rejected rows, so the store receives the same batches, in
the same order, as from a sequential ingest: merging ("first value wins") gives the same graph,
and the quarantine file lists rows in the same order.

A worker is a fork: it inherits the compiled mapping, the pseudonymisation keys and the entity
ids this run has seen, and uses none of the parent's connections (it opens its own to look up
ids from earlier runs, and packs each prepared batch into a small in-memory SQLite database
that the parent copies from). A file that both defines entity ids and refers to them is
mapped by one worker, which sees its own ids in order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import threading
from collections.abc import Iterator
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from ingest.mapping import FileSpec
from ingest.readers import Table

if TYPE_CHECKING:
    from ingest.pipeline import Chunk, Ingestor

# Below this a file maps in well under a second; forking would cost more than it saves.
MIN_FILE_BYTES = 256 << 10
_MAX_WORKERS = 4
# Rows a worker maps at a time: small enough that writing starts soon after the workers do and
# the last chunk is short; large enough that a chunk's merge still folds repeated nodes.
CHUNK_ROWS = 2_500


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, _MAX_WORKERS))


def workers_for(ingestor: Ingestor, table: Table, spec: FileSpec) -> int:
    """How many worker processes map this file; 1 means it is mapped in this process."""
    store = ingestor.store
    if (
        ingestor.workers < 2
        or not all(hasattr(store, name) for name in ("prepare_write", "write_prepared", "reader"))
        or "fork" not in multiprocessing.get_all_start_methods()
        # A fork copies only the calling thread; others (a web server's) may hold locks.
        or threading.current_thread() is not threading.main_thread()
        or table.path.stat().st_size < ingestor.parallel_min_bytes
    ):
        return 1
    defines_ids = any(node.local_id is not None for node in spec.nodes)
    refers_to_ids = any(e.src.ref or e.dst.ref for e in spec.edges)
    return 1 if defines_ids and refers_to_ids else ingestor.workers


def map_file(ingestor: Ingestor, table: Table, spec: FileSpec, workers: int) -> Iterator[Chunk]:
    """The file's chunks in order, mapped and prepared by `workers` forked processes."""
    # Workers use SQLite (to pack their batches) and the store's client (to look up ids of
    # earlier runs): no thread may be inside either when they fork, holding its locks, or a
    # worker could wait forever. The Neo4j store writes on a thread of its own: drained too.
    ingestor.sync_writes()
    drain = getattr(ingestor.store, "drain", None)
    if drain is not None:
        drain()
    context = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    processes = []
    # What the workers inherit is never collected there: frozen, the collector neither walks it
    # nor writes to it (which would copy every inherited page into each worker).
    gc.freeze()
    try:
        for index in range(workers):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_work,
                args=(ingestor, table, spec, index, workers, send),
                name=f"ingest-map-{index}",
                daemon=True,
            )
            process.start()
            send.close()  # so a worker that dies shows as end of file here
            pipes.append(receive)
            processes.append(process)
        gc.unfreeze()
        position = 0
        while True:
            message = _receive(pipes[position % workers], table)
            if message is None:
                break  # that worker has no chunk `position`, so there is none after it
            yield message
            position += 1
        for index in range(workers):
            if index != position % workers and _receive(pipes[index], table) is not None:
                raise RuntimeError(f"{table.path}: a mapping worker sent chunks out of order")
        for process in processes:
            process.join()
    finally:
        gc.unfreeze()
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
        for pipe in pipes:
            pipe.close()


def _receive(pipe: Connection, table: Table) -> Chunk | None:
    try:
        kind, payload = pipe.recv()
    except EOFError:
        raise RuntimeError(f"{table.path}: a mapping worker stopped without a result") from None
    if kind == "error":
        raise payload
    return payload  # type: ignore[no-any-return]


def _work(
    ingestor: Ingestor, table: Table, spec: FileSpec, index: int, workers: int, send: Connection
) -> None:
    """In the worker: map chunks index, index + workers, …, send each, then say "done"."""
    try:
        chunk_rows = min(ingestor.batch_rows, CHUNK_ROWS)
        # The first chunk is short, as a sequential ingest's first batch: the store, idle since
        # the pending writes were drained for the fork, gets work soon.
        first = min(ingestor.first_batch_rows, chunk_rows)

        def chunk_of(position: int) -> int:
            return 0 if position < first else 1 + (position - first) // chunk_rows

        processor = ingestor.processor(spec)
        store = ingestor.store
        reader: list[Any] = []

        def resolve(local_ids: set[str]) -> dict[str, str]:
            if not reader:
                reader.append(store.reader())  # type: ignore[attr-defined]
            return reader[0].resolve_local_ids(ingestor.source, local_ids)  # type: ignore[no-any-return]

        ingestor._resolve_local_ids = resolve  # type: ignore[method-assign]
        prepare = store.prepare_write  # type: ignore[attr-defined]
        pending: list[Any] = []
        rejected: list[Any] = []
        read = 0
        current = -1
        kept = [0]  # the position of the item the reader yields next

        def mine(position: int) -> bool:
            if chunk_of(position) % workers != index:
                return False
            kept[0] = position
            return True

        def flush() -> None:
            chunk = ingestor.chunk(pending, rejected, read)
            if chunk.batch is not None:
                chunk.local_ids = chunk.batch.local_ids
                chunk.prepared = prepare(chunk.batch)
                chunk.batch = None
            send.send(("chunk", chunk))

        for line, row in table.rows(mine):
            number = chunk_of(kept[0])
            if number != current and current >= 0:
                flush()
                pending, rejected, read = [], [], 0
            current = number
            read += 1
            ingestor.map_row(processor, line, row, pending, rejected)
        if current >= 0:
            flush()
        send.send(("done", None))
    except BaseException as exc:  # handed to the ingesting process, raised there
        # The ingesting process may be gone already (interrupted): then nobody is told.
        with suppress(OSError):
            try:
                send.send(("error", exc))
            except pickle.PicklingError:
                send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()
