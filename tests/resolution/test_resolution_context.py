"""Collective resolution: records that share only a name, linked by the people they deal with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.resolution import run_resolution
from analytics.resolution.matching import ResolverConfig, resolve
from analytics.resolution.records import (
    PersonRecord,
    Surroundings,
    load_context,
    load_person_records,
)
from graph_model.store.base import EdgeRecord, NodeRecord, WriteBatch
from graph_model.store.sqlite import SQLiteStore

CONFIG = ResolverConfig(workers=1)


def person(uid: str, name: str, born: str | None = None) -> NodeRecord:
    props: dict[str, Any] = {"name": name}
    if born is not None:
        props["birth_date"] = born
    source, record = uid.split(":")[1:]
    return NodeRecord(uid, "Person", name, props, source, record)


def thing(uid: str) -> NodeRecord:
    return NodeRecord(uid, uid.split(":")[0], uid, {}, "test", uid)


def tie(src: str, rel: str, dst: str) -> EdgeRecord:
    return EdgeRecord(src, rel, dst, {}, "test", f"{src}>{rel}>{dst}", date="2024-03-01")


def store_of(path: Path, nodes: list[NodeRecord], edges: list[EdgeRecord]) -> SQLiteStore:
    store = SQLiteStore(path)
    store.write_batch(WriteBatch(nodes=nodes, edges=edges), "2024-06-01T00:00:00+00:00")
    return store


# The police saw Georgi Ivanov meet Petar Dimitrov (a sighting: a name and nothing else); the FIU
# knows a Georgi Ivanov who paid Petar Dimitrov's account. Petar's two records agree on name and
# birth date, so he is resolved first; then Georgi's records share a contact.
SEEN = "Person:police:P1"
PAYER = "Person:fiu:K1"
PETAR_POLICE, PETAR_FIU = "Person:police:P2", "Person:fiu:K2"


def georgi_world(path: Path, namesake: bool = False) -> SQLiteStore:
    nodes = [
        person(SEEN, "Georgi Ivanov"),
        person(PAYER, "Georgi Ivanov", "1975-05-05"),
        person(PETAR_POLICE, "Petar Dimitrov", "1980-01-01"),
        person(PETAR_FIU, "Petar Dimitrov", "1980-01-01"),
        thing("BankAccount:NL01"),
        thing("BankAccount:NL02"),
    ]
    edges = [
        tie(SEEN, "MET", PETAR_POLICE),
        tie(PAYER, "HOLDS", "BankAccount:NL01"),
        tie(PETAR_FIU, "HOLDS", "BankAccount:NL02"),
        tie("BankAccount:NL01", "TRANSFERRED_TO", "BankAccount:NL02"),
    ]
    if namesake:
        # Petar also paid another Georgi Ivanov, born fifteen years later.
        nodes += [person("Person:fiu:K3", "Georgi Ivanov", "1990-09-09"), thing("BankAccount:NL03")]
        edges += [
            tie("Person:fiu:K3", "HOLDS", "BankAccount:NL03"),
            tie("BankAccount:NL02", "TRANSFERRED_TO", "BankAccount:NL03"),
        ]
    return store_of(path / "world.db", nodes, edges)


def test_context_reads_contacts_and_memberships(tmp_path: Path) -> None:
    nodes = [
        person(SEEN, "A"),
        person(PAYER, "B"),
        person(PETAR_FIU, "C"),
        person("Person:police:P7", "D"),
        thing("BankAccount:NL01"),
        thing("BankAccount:NL02"),
        thing("Case:police:Z1"),
    ]
    edges = [
        tie(SEEN, "MET", PETAR_POLICE),
        tie(SEEN, "SUSPECT_IN", "Case:police:Z1"),
        tie("Person:police:P7", "SUSPECT_IN", "Case:police:Z1"),
        tie(PAYER, "HOLDS", "BankAccount:NL01"),
        tie(PETAR_FIU, "HOLDS", "BankAccount:NL02"),
        tie("BankAccount:NL01", "TRANSFERRED_TO", "BankAccount:NL02"),
    ]
    store = store_of(tmp_path / "c.db", nodes, edges)
    context = load_context(store, load_person_records(store))
    store.close()
    assert context[SEEN][PETAR_POLICE] == Surroundings(contacts=frozenset({PETAR_POLICE}))
    assert context[SEEN]["Case:police:Z1"].members == {"Person:police:P7"}
    assert context[PAYER]["BankAccount:NL01"].contacts == {PETAR_FIU}  # paid, so a contact
    assert context[PETAR_FIU]["BankAccount:NL02"].contacts == {PAYER}


def test_a_shared_contact_links_a_sighting_to_an_account_holder(tmp_path: Path) -> None:
    store = georgi_world(tmp_path)
    _, document = run_resolution(store)
    store.close()
    clusters = document["clusters"]
    assert clusters[SEEN] == clusters[PAYER]
    assert clusters[PETAR_POLICE] == clusters[PETAR_FIU]
    merge = next(m for m in document["merges"] if {m["a"], m["b"]} == {SEEN, PAYER})
    assert merge["status"] == "auto"
    shared = merge["evidence"]["context"]["shared"]
    assert shared == [{"person": PETAR_FIU, "a_via": ["BankAccount:NL01"], "b_via": [PETAR_POLICE]}]
    assert merge["score"] == pytest.approx(sum(e["weight"] for e in merge["evidence"].values()))


def test_a_contact_who_knows_two_namesakes_says_nothing(tmp_path: Path) -> None:
    store = georgi_world(tmp_path, namesake=True)
    _, document = run_resolution(store)
    store.close()
    clusters = document["clusters"]
    assert clusters[PETAR_POLICE] == clusters[PETAR_FIU]
    assert SEEN not in clusters  # which Georgi Ivanov did the police see? Petar knows both


def records_and_context(
    links: dict[str, dict[str, Surroundings]], *records: PersonRecord
) -> tuple[list[PersonRecord], dict[str, dict[str, Surroundings]]]:
    return list(records), {r.uid: links.get(r.uid, {}) for r in records}


def met(*uids: str) -> dict[str, Surroundings]:
    return {u: Surroundings(contacts=frozenset({u})) for u in uids}


def test_two_look_alike_pairs_in_touch_support_each_other() -> None:
    # Neither pair agrees on more than a name, but "E. Hoekstra met Kees Bakker" (police) and
    # "Esther Hoekstra paid K. Bakker" (FIU) make both pairs one person each.
    records, context = records_and_context(
        {
            "Person:police:O": met("Person:police:L"),
            "Person:police:L": met("Person:police:O"),
            "Person:fiu:O": {"BankAccount:1": Surroundings(contacts=frozenset({"Person:fiu:L"}))},
            "Person:fiu:L": {"BankAccount:2": Surroundings(contacts=frozenset({"Person:fiu:O"}))},
        },
        PersonRecord("Person:police:O", "police", "E. Hoekstra"),
        PersonRecord("Person:fiu:O", "fiu", "Esther Hoekstra", "1971-06-03"),
        PersonRecord("Person:police:L", "police", "Kees Bakker"),
        PersonRecord("Person:fiu:L", "fiu", "K. Bakker", "1980-02-02"),
    )
    result = resolve(records, CONFIG, context=context)
    assert result.clusters["Person:fiu:O"] == result.clusters["Person:police:O"]
    assert result.clusters["Person:fiu:L"] == result.clusters["Person:police:L"]
    by_pair = {frozenset((m.a, m.b)): m for m in result.merges}
    georgi = by_pair[frozenset(("Person:fiu:O", "Person:police:O"))]
    petar = by_pair[frozenset(("Person:fiu:L", "Person:police:L"))]
    assert georgi.status == petar.status == "auto"
    assert georgi.evidence["context"]["alike"][0]["merge"] == petar.id
    assert petar.evidence["context"]["alike"][0]["merge"] == georgi.id


def test_records_around_one_person_are_compared_when_their_name_block_is_too_big() -> None:
    # Four Georgi Ivanovs: too many for a block of three, but two of them dealt with Petar.
    records, context = records_and_context(
        {
            "Person:police:G": met("Person:fiu:P"),
            "Person:fiu:G": {"BankAccount:1": Surroundings(contacts=frozenset({"Person:fiu:P"}))},
        },
        PersonRecord("Person:police:G", "police", "Georgi Ivanov"),
        PersonRecord("Person:fiu:G", "fiu", "Georgi Ivanov", "1975-05-05"),
        PersonRecord("Person:nla:G1", "nla", "Georgi Ivanov", "1960-01-01"),
        PersonRecord("Person:nla:G2", "nla", "Georgi Ivanov", "1970-01-01"),
        PersonRecord("Person:fiu:P", "fiu", "Petar Dimitrov", "1980-01-01"),
    )
    result = resolve(records, ResolverConfig(workers=1, max_block=3), context=context)
    assert result.stats["blocks_skipped"] >= 1
    assert result.clusters["Person:police:G"] == "Person:fiu:G"
    assert "Person:nla:G1" not in result.clusters


def test_records_of_one_source_are_never_linked_by_context() -> None:
    records, context = records_and_context(
        {"Person:police:A": met("Person:fiu:X"), "Person:police:B": met("Person:fiu:X")},
        PersonRecord("Person:police:A", "police", "Joy Okafor"),
        PersonRecord("Person:police:B", "police", "Joy Okafor"),
        PersonRecord("Person:fiu:X", "fiu", "Emeka Eze"),
    )
    assert resolve(records, CONFIG, context=context).clusters == {}


def members(*uids: str) -> dict[str, Surroundings]:
    return {"Case:1": Surroundings(members=frozenset(uids))}


@pytest.mark.parametrize(("shared", "merged"), [(2, False), (3, True)])
def test_memberships_alone_need_several_shared_people(shared: int, merged: bool) -> None:
    # Everyone in one network shares a case or a house with a few others: only several shared
    # people, none reached through a personal tie, count as context.
    people = [f"Person:nla:W{k}" for k in range(shared)]
    records, context = records_and_context(
        {
            "Person:police:A": members(*people),
            "Person:fiu:A": {"Address:9": Surroundings(members=frozenset(people))},
        },
        PersonRecord("Person:police:A", "police", "Mihai Stan"),
        PersonRecord("Person:fiu:A", "fiu", "Mihai Stan", "1996-10-17"),
        *(PersonRecord(p, "nla", f"Worker {chr(65 + k)}") for k, p in enumerate(people)),
    )
    clusters = resolve(records, CONFIG, context=context).clusters
    assert (
        "Person:police:A" in clusters and clusters["Person:police:A"] == "Person:fiu:A"
    ) is merged


HOUSE = "1011AB|1"


def house(*residents: PersonRecord) -> list[PersonRecord]:
    others = [
        PersonRecord(f"Person:nla:H{k}", "nla", name, addresses=(HOUSE,))
        for k, name in enumerate(("Ioana Popa", "Elena Radu", "Gift Obi", "Daria Nagy"))
    ]
    return [*others, *residents]


def test_same_name_same_shared_house_counts_when_nobody_else_there_bears_it() -> None:
    pair = (
        PersonRecord("Person:fiu:J", "fiu", "Joy Okafor", "2001-04-04", addresses=(HOUSE,)),
        PersonRecord("Person:nla:J", "nla", "Joy Okafor", addresses=(HOUSE,)),
    )
    result = resolve(house(*pair), CONFIG)
    assert result.clusters["Person:nla:J"] == "Person:fiu:J"
    evidence = result.merges[0].evidence["addresses"]
    assert evidence["only_holder_so_named"] and evidence["weight"] == CONFIG.weights.address
    # Another Joy Okafor in the FIU's register lives there too: two people, the house can't tell.
    other = PersonRecord("Person:fiu:J2", "fiu", "Joy Okafor", addresses=(HOUSE,))
    assert "Person:nla:J" not in resolve(house(*pair, other), CONFIG).clusters


def test_owning_the_house_is_not_living_in_it() -> None:
    landlord = PersonRecord(
        "Person:municipality:E", "municipality", "Joy Okafor", addresses=(HOUSE,), owned=(HOUSE,)
    )
    tenant = PersonRecord("Person:nla:J", "nla", "Joy Okafor", addresses=(HOUSE,))
    assert resolve(house(landlord, tenant), CONFIG).clusters == {}
