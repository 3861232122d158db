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
    owned: tuple[str, ...] = ()  # those of ``addresses`` the record owns (a landlord's houses)
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
            if tie.type == "OWNS" and kind == "addresses":
                linked[tie.src]["owned"].add(value)
    for uid, kinds in linked.items():
        record = records[uid]
        record.phones = tuple(sorted(kinds.get("phones", ())))
        record.emails = tuple(sorted(kinds.get("emails", ())))
        record.ibans = tuple(sorted(kinds.get("ibans", ())))
        record.addresses = tuple(sorted(kinds.get("addresses", ())))
        record.owned = tuple(sorted(kinds.get("owned", ())))
    return [records[uid] for uid in sorted(records)]


CONTEXT_SKIP_TYPES = frozenset({"IN_REGION", "SAME_AS", "PART_OF"})
# A node with more ties than this (a hospital's address, a call centre) links people who never
# met. Smaller crowds — a landlord's account paid by forty tenants — stay: the namesake test of
# collective.py, not a tight cap, keeps them from linking namesakes.
CONTEXT_MAX_DEGREE = 100
CONTEXT_SKIP_LABELS = ("Region:", "AdCluster:")
# A call or a payment between two of these ties the people behind them.
LINKED_IDENTIFIERS = ("Phone:", "BankAccount:", "Email:")
PERSON_PREFIX = "Person:"


@dataclass(frozen=True, slots=True)
class Surroundings:
    """What lies beyond one neighbour of a record (a case, an address, a phone, a person).

    ``members`` are attached to the same node as the record: the other people in a case, at an
    address, at a company, on a shared phone. ``contacts`` are people the record dealt with
    itself: someone it was seen meeting, the users of the numbers its phone called, the holders
    of the accounts its account paid or was paid by. A contact is a personal tie; membership of
    one case or house is shared with everyone else in it.
    """

    members: frozenset[str] = frozenset()
    contacts: frozenset[str] = frozenset()


Context = dict[str, dict[str, Surroundings]]


def load_context(
    store: GraphStore, records: list[PersonRecord], max_degree: int = CONTEXT_MAX_DEGREE
) -> Context:
    """Each record's surroundings: per neighbouring node, the people and places beyond it.

    A police record in a case sees the other people in that case; an owner in a municipal
    signal sees the people at the addresses owned; a company director sees the workers; a
    record seen meeting someone sees that person; an account holder sees the holders of the
    accounts paid or paying, a phone user the users of the numbers called or calling. Hubs
    (nodes with more than ``max_degree`` ties) and regions are left out: they connect people
    who never met. A number or account nobody in the store holds stands for its unknown holder.
    """
    adjacency: dict[str, set[str]] = defaultdict(set)
    for tie in store.iter_ties():
        if tie.type in CONTEXT_SKIP_TYPES or tie.src == tie.dst:
            continue
        adjacency[tie.src].add(tie.dst)
        adjacency[tie.dst].add(tie.src)

    def holders(identifier: str) -> set[str]:
        around = adjacency.get(identifier, set())
        if len(around) > max_degree:
            return set()
        people = {x for x in around if x.startswith(PERSON_PREFIX)}
        return people or {identifier}

    context: Context = {}
    for record in records:
        uid = record.uid
        around: dict[str, Surroundings] = {}
        for middle in adjacency.get(uid, ()):
            if middle.startswith(PERSON_PREFIX):  # met, called, associated with
                around[middle] = Surroundings(contacts=frozenset((middle,)))
                continue
            if middle.startswith(CONTEXT_SKIP_LABELS) or len(adjacency[middle]) > max_degree:
                continue
            linked = middle.startswith(LINKED_IDENTIFIERS)
            members: set[str] = set()
            contacts: set[str] = set()
            for x in adjacency[middle]:
                if linked and x.startswith(LINKED_IDENTIFIERS):
                    contacts |= holders(x)
                else:
                    members.add(x)
            members.discard(uid)
            contacts.discard(uid)
            around[middle] = Surroundings(frozenset(members), frozenset(contacts))
        context[uid] = around
    return context
