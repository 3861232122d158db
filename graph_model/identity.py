"""Stable node and edge identifiers derived from normalised identity values.

A node's uid is `<Label>:<identity values joined by |>`, e.g. `Phone:+31612345678`,
`Address:1011AB|12`, `Person:police:P-0042`. The same inputs give the same uid in every store
and every run, which is what makes re-ingest idempotent and the stores comparable.
"""

from __future__ import annotations

from hashlib import blake2b

UID_SEPARATOR = "|"


def node_uid(label: str, values: tuple[str, ...]) -> str:
    return f"{label}:{UID_SEPARATOR.join(values)}"


def source_record_uid(label: str, source: str, record: str) -> str:
    return f"{label}:{source}:{record}"


def label_of(uid: str) -> str:
    return uid.split(":", 1)[0]


def edge_id(src: str, rel_type: str, dst: str) -> str:
    """One tie per (source node, type, target node); 16 hex digits keep the tables small."""
    digest = blake2b(f"{src}\x1f{rel_type}\x1f{dst}".encode(), digest_size=8)
    return digest.hexdigest()
