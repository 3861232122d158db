"""Person records as the resolver sees them, read from a store.

A Person node is one record of one source (`Person:<source>:<record>`). Its identifiers hang off
it as ties: USES → Phone/Email, HOLDS → BankAccount, LIVES_AT / REGISTERED_AT / OWNS → Address.
The resolver needs them flat, so this module reads nodes and ties once and joins them in memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph_model.store.base import GraphStore

IDENTIFIER_TIES = ("USES", "HOLDS", "LIVES_AT", "REGISTERED_AT", "OWNS")
_KIND_OF_LABEL = {
    "Phone": "phones",
    "Email": "emails",
    "BankAccount": "ibans",
    "Address": "addresses",
}


@dataclass(slots=True)
class PersonRecord:
    uid: str
    source: str
    name: str | None = None
    birth_date: str | None = None  # ISO yyyy-mm-dd
    nationality: str | None = None
    document: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    ibans: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


def source_of(uid: str) -> str:
    # Person:<source>:<record>; record ids may contain ':'.
    parts = uid.split(":", 2)
    return parts[1] if len(parts) == 3 else ""


def load_person_records(store: GraphStore) -> list[PersonRecord]:
    """Every Person record in the store with its phones, e-mails, IBANs and addresses."""
    records: dict[str, PersonRecord] = {}
    for node in store.iter_nodes(["Person"]):
        props = node.properties
        birth = props.get("birth_date")
        records[node.uid] = PersonRecord(
            uid=node.uid,
            source=source_of(node.uid),
            name=props.get("name") or node.name or None,
            birth_date=str(birth) if birth else None,
            nationality=props.get("nationality"),
            document=props.get("document_number"),
        )
    linked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for tie in store.iter_ties(types=list(IDENTIFIER_TIES)):
        if tie.src not in records:
            continue
        label, _, value = tie.dst.partition(":")
        kind = _KIND_OF_LABEL.get(label)
        if kind is not None:
            linked[tie.src][kind].add(value)
    for uid, kinds in linked.items():
        record = records[uid]
        record.phones = tuple(sorted(kinds.get("phones", ())))
        record.emails = tuple(sorted(kinds.get("emails", ())))
        record.ibans = tuple(sorted(kinds.get("ibans", ())))
        record.addresses = tuple(sorted(kinds.get("addresses", ())))
    return [records[uid] for uid in sorted(records)]


CONTEXT_SKIP_TYPES = frozenset({"IN_REGION", "SAME_AS", "PART_OF"})
CONTEXT_MAX_DEGREE = 30
CONTEXT_SKIP_LABELS = ("Person:", "BankAccount:", "Region:")


def load_context(
    store: GraphStore, records: list[PersonRecord], max_degree: int = CONTEXT_MAX_DEGREE
) -> dict[str, dict[str, frozenset[str]]]:
    """Each record's surroundings: per neighbouring non-person node, what lies beyond it.

    A police record in a case sees the other people in that case; an owner in a municipal
    signal sees the people registered at the address; a company director sees the workers.
    Hubs (nodes with more than ``max_degree`` ties), regions and bank accounts (a landlord's
    account is paid by every tenant) are left out: they connect people who never met.
    """
    adjacency: dict[str, set[str]] = defaultdict(set)
    for tie in store.iter_ties():
        if tie.type in CONTEXT_SKIP_TYPES:
            continue
        adjacency[tie.src].add(tie.dst)
        adjacency[tie.dst].add(tie.src)
    context: dict[str, dict[str, frozenset[str]]] = {}
    for record in records:
        uid = record.uid
        around: dict[str, frozenset[str]] = {}
        for middle in adjacency.get(uid, ()):
            if middle.startswith(CONTEXT_SKIP_LABELS) or len(adjacency[middle]) > max_degree:
                continue
            around[middle] = frozenset(
                x for x in adjacency[middle] if x != uid and not x.startswith("BankAccount:")
            )
        context[uid] = around
    return context
