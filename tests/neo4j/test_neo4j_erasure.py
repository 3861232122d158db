"""Erasure and retention on the Neo4j store: the SQLite backend's rules and reports, on a real
Neo4j. After an erasure no property of any node or relationship — graph or bookkeeping — holds
one of her values, nobody else is touched, and the report equals the SQLite backend's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_model.store import neo4j_erasure
from graph_model.store.base import (
    EdgeRecord,
    GraphStore,
    IngestRunSummary,
    NodeRecord,
    QuarantineRecord,
    WriteBatch,
)
from graph_model.store.neo4j import KEY_SEPARATOR, Neo4jStore
from graph_model.store.sqlite import SQLiteStore
from graph_model.store.sqlite_erasure import erase_person as sqlite_erase_person
from ingest.pipeline import ingest_paths
from ingest.synth import SynthConfig, generate
from netzicht import retention
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import write
from tests.neo4j.helpers import run_test_statement
from tests.privacy.test_privacy_erasure import (
    BERTUS,
    CORRIE,
    ENTITIES,
    HER,
    HER_IBAN,
    HER_PHONE,
    HER_VALUES,
    RELATIONS,
    SHARED_ADDRESS,
)
from tests.privacy.test_privacy_retention import (
    GENERIC_DAYS,
    NEW_ENTITIES,
    OLD_ENTITIES,
    OLD_PERSON,
    OLD_RELATIONS,
    SHARED_PHONE,
)

pytestmark = pytest.mark.neo4j

# Report fields that describe the SQLite file (VACUUM, WAL) or are random.
NOT_COMPARED = ("reference", "wal_truncated", "free_pages")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth300")
    generate(SynthConfig(seed=11, scale=300), out)
    return out


def populate(store: GraphStore, root: Path, synth: Path) -> Path:
    """The SQLite erasure test's data: synthetic agency exports, an `acme` export holding her,
    a network result and per-node results naming her. Returns the quarantine directory."""
    quarantine = root / "data" / "quarantine"
    manifest = json.loads((synth / "manifest.json").read_text(encoding="utf-8"))
    for export in manifest["exports"]:
        paths = [synth / f for f in export["files"]]
        ingest_paths(store, paths, export["source"], export["mapping"], quarantine)
    acme = root / "acme"
    acme.mkdir()
    files = [write(acme / "entities.csv", ENTITIES), write(acme / "relations.csv", RELATIONS)]
    ingest_paths(store, files, "acme", "generic", quarantine)
    store.save_result(
        "networks-1",
        "networks",
        "2024-03-01T00:00:00",
        {
            "networks": [
                {"id": "N1", "members": [HER, BERTUS, CORRIE], "label": f"around {HER}"},
            ],
            "key_actors": [
                {"uid": HER, "name": "Xandrina Quellenberg", "score": 0.9},
                {"uid": BERTUS, "name": "Bertus Okkerman", "score": 0.5},
            ],
            "links": {HER: 0.4, BERTUS: 0.2},
            "edges": [{"src": HER, "dst": BERTUS}, {"src": BERTUS, "dst": CORRIE}],
        },
    )
    store.save_node_results(
        "networks-1",
        [
            (HER, "N1", {"score": 0.9, "reasons": ["many calls"]}),
            (HER_PHONE, "N1", {"score": 0.3}),
            (BERTUS, "N1", {"score": 0.5, "reasons": ["called by Xandrina Quellenberg"]}),
        ],
    )
    return quarantine


def strings(value: Any) -> Iterator[str]:
    """Every string in a property value (lists included), and every other scalar as text."""
    if isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif value is not None:
        yield str(value)


def graph_traces(store: Neo4jStore, needles: list[str]) -> list[tuple[str, str]]:
    """(where, needle) for every needle inside any label, property key or value of any node or
    relationship in the database — graph nodes and bookkeeping alike."""
    store.drain()
    found: list[tuple[str, str]] = []
    for row in run_test_statement(store, "dump_nodes"):
        texts = [*row["labels"], *strings(row["props"])]
        where = f"node {row['labels']} {row['props'].get('uid') or row['props'].get('run_id')}"
        found += [(where, n) for n in needles if any(n in t for t in texts)]
    for row in run_test_statement(store, "dump_ties"):
        texts = [row["src"] or "", row["type"], row["dst"] or "", *strings(row["props"])]
        where = f"tie {row['type']} {row['props'].get('id')}"
        found += [(where, n) for n in needles if any(n in t for t in texts)]
    return found


def disk_traces(root: Path, needles: list[bytes]) -> list[tuple[str, str]]:
    return [
        (p.name, n.decode())
        for p in (root / "data").rglob("*")
        if p.is_file()
        for n in needles
        if n in p.read_bytes()
    ]


HER_TEXTS = [v.decode() for v in HER_VALUES]


def test_erased_person_leaves_no_property_anywhere_and_the_report_equals_sqlites(
    neo4j_store: Neo4jStore, synth: Path, tmp_path: Path
) -> None:
    store = neo4j_store
    quarantine = populate(store, tmp_path / "neo4j", synth)
    before = store.stats()
    before_quarantine = store.quarantine(limit=100_000)
    # She is really there before: normalised in the graph, raw in the quarantine files.
    in_graph = {n for _, n in graph_traces(store, HER_TEXTS)}
    assert {"quellenberg", "1977-03-14", "38472915", "NL20INGB0001234567"} <= in_graph
    assert {"ACME-ERASE-0001", "ACME-ERASE-0009"} <= in_graph
    assert disk_traces(tmp_path / "neo4j", HER_VALUES)

    report = retention.backend_for(store).erase_person(store, HER, quarantine)

    # The same counts as the SQLite backend on the same data.
    lite = SQLiteStore(tmp_path / "lite" / "store.db")
    lite_quarantine = populate(lite, tmp_path / "lite", synth)
    expected = sqlite_erase_person(lite, HER, lite_quarantine)
    lite_document = lite.result("networks-1")
    lite.close()
    assert {k: v for k, v in report.as_dict().items() if k not in NOT_COMPARED} == {
        k: v for k, v in expected.as_dict().items() if k not in NOT_COMPARED
    }
    assert report.found and (report.nodes, report.artefact_nodes, report.edges) == (3, 2, 5)
    assert (report.quarantine_rows, report.quarantine_lines, report.files_rewritten) == (2, 2, 2)
    assert report.provenance_anonymised == 1  # the shared address's record from her row
    assert not report.wal_truncated  # Neo4j's transaction logs are the server's to prune

    # No trace of her in any property of the database, nor in the quarantine files.
    assert graph_traces(store, HER_TEXTS) == []
    assert disk_traces(tmp_path / "neo4j", HER_VALUES) == []

    # Her own phone and account went; the address she shared with Bertus stayed, anonymised.
    assert store.get_node(HER) is None and store.get_node(HER_PHONE) is None
    assert store.get_node(HER_IBAN) is None
    address = store.get_node(SHARED_ADDRESS)
    assert address is not None
    assert sorted(s.record.startswith("erased-") for s in address.sources) == [False, True]
    after = store.stats()
    expected_nodes = dict(before.nodes, Person=before.nodes["Person"] - 1)
    expected_nodes.update(
        Phone=before.nodes["Phone"] - 1, BankAccount=before.nodes["BankAccount"] - 1
    )
    assert after.nodes == expected_nodes
    lost = {"USES": 1, "HOLDS": 1, "LIVES_AT": 1, "CALLED": 1, "SUSPECT_IN": 1}
    assert after.edges == {t: n - lost.get(t, 0) for t, n in before.edges.items()}
    assert {n.uid for n in store.neighbourhood(BERTUS).nodes} == {
        BERTUS,
        CORRIE,
        SHARED_ADDRESS,
        "Case:acme:ACME-CASE-01",
        "Phone:+31611122233",
    }

    # Results: scrubbed exactly as on SQLite; her per-node rows are gone, Bertus's reworded.
    document = store.result("networks-1")
    assert document == lite_document
    assert document == {
        "networks": [{"id": "N1", "members": [BERTUS, CORRIE], "label": "around [erased]"}],
        "key_actors": [{"uid": BERTUS, "name": "Bertus Okkerman", "score": 0.5}],
        "links": {BERTUS: 0.2},
        "edges": [{"src": BERTUS, "dst": CORRIE}],
    }
    assert store.node_result(HER, "networks-1") is None
    assert store.node_result(HER_PHONE, "networks-1") is None
    assert store.node_result(BERTUS, "networks-1") == {
        "score": 0.5,
        "reasons": ["called by [erased]"],
    }

    # Quarantine: exactly her two rows are gone; Dirk's and Corrie's rejected rows stay.
    after_quarantine = store.quarantine(limit=100_000)
    assert len(after_quarantine) == len(before_quarantine) - 2
    kept = {json.dumps(q.row, ensure_ascii=False) for q in after_quarantine}
    assert any("Dirk Wensveen" in row for row in kept)
    assert any('"EATS"' in row for row in kept)
    assert graph_traces(store, ["Dirk Wensveen"])


def test_erasing_a_police_suspect_keeps_the_case_and_anonymises_its_record_ids(
    neo4j_store: Neo4jStore, synth: Path, tmp_path: Path
) -> None:
    store = neo4j_store
    quarantine = populate(store, tmp_path, synth)
    persons_of: dict[str, set[str]] = defaultdict(set)
    suspects: list[tuple[str, str]] = []
    for tie in store.iter_ties():
        if tie.src.startswith("Person:"):
            persons_of[tie.dst].add(tie.src)
        if tie.type == "SUSPECT_IN" and tie.src.startswith("Person:police:"):
            suspects.append((tie.src, tie.dst))
    uid, case = min((s, c) for s, c in suspects if len(persons_of[c]) >= 3)
    police_id = uid.split(":")[2]
    others = {e.src for e in store.neighbourhood(case).edges if e.src.startswith("Person:")}
    others.discard(uid)
    assert graph_traces(store, [police_id])

    report = neo4j_erasure.erase_person(store, uid, quarantine)

    assert report.found and report.provenance_anonymised >= 1
    after = store.neighbourhood(case)
    assert {e.src for e in after.edges if e.src.startswith("Person:")} == others
    kept_case = store.get_node(case)
    assert kept_case is not None and kept_case.sources
    assert all(police_id not in s.record for s in kept_case.sources)
    assert graph_traces(store, [police_id]) == []
    assert disk_traces(tmp_path, [police_id.encode()]) == []


def test_erasing_again_or_an_unknown_uid_removes_nothing(
    neo4j_store: Neo4jStore, synth: Path, tmp_path: Path
) -> None:
    store = neo4j_store
    quarantine = populate(store, tmp_path, synth)
    neo4j_erasure.erase_person(store, HER, quarantine)
    stats = store.stats()
    rows = len(store.quarantine(limit=100_000))
    for uid in (HER, "Person:acme:NOBODY", "Dragon:x:1"):
        again = neo4j_erasure.erase_person(store, uid, quarantine)
        assert not again.found
        assert (again.nodes, again.edges, again.quarantine_rows, again.results_scrubbed) == (
            0,
            0,
            0,
            0,
        )
    assert store.stats() == stats
    assert len(store.quarantine(limit=100_000)) == rows


def test_service_erase_on_neo4j_audits_counts_only(
    neo4j_store: Neo4jStore, synth: Path, tmp_path: Path
) -> None:
    populate(neo4j_store, tmp_path, synth)
    settings = Settings(store=neo4j_store.uri, data_dir=tmp_path / "data", role="admin")
    with Service.open(settings=settings) as svc:
        report = retention.erase(svc, HER, purpose="AVG request 2024-117")
    assert (report.found, report.nodes, report.edges) == (True, 3, 5)
    audit = tmp_path / "data" / "audit.jsonl"
    entry = json.loads(audit.read_text(encoding="utf-8").splitlines()[-1])
    assert (entry["action"], entry["target"]) == ("erase", report.reference)
    assert entry["details"]["nodes"] == 3
    assert disk_traces(tmp_path, [*HER_VALUES, HER.encode()]) == []
    assert graph_traces(neo4j_store, HER_TEXTS) == []


# -- retention ----------------------------------------------------------------------------------


@pytest.fixture
def svc(neo4j_store: Neo4jStore, tmp_path: Path) -> Iterator[Service]:
    """The SQLite retention test's sources, ingested into Neo4j through the service."""
    settings = Settings(store=neo4j_store.uri, data_dir=tmp_path / "data", role="admin")
    service = Service.open(settings=settings)
    old, new = tmp_path / "old", tmp_path / "new"
    for d in (old, new):
        d.mkdir()
    service.ingest(
        [write(old / "entities.csv", OLD_ENTITIES), write(old / "relations.csv", OLD_RELATIONS)],
        "oldsrc",
        "generic",
    )
    service.ingest([write(new / "entities.csv", NEW_ENTITIES)], "newsrc", "generic")
    service.store.save_result(
        "net-1", "networks", "2024-07-01T00:00:00", {"members": [OLD_PERSON, "Person:oldsrc:OLD-2"]}
    )
    yield service
    service.close()


def test_retention_drops_expired_observations_and_keeps_what_others_support(
    svc: Service, neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    assert graph_traces(neo4j_store, ["Oudeboom"])
    before = svc.store.get_node("Person:oldsrc:OLD-2")
    assert before is not None and before.first_seen == "2024-05-01"

    report = retention.apply(svc, dt.date(2025, 6, 1))

    old = report.sources["oldsrc"]
    assert (old.retention_days, old.cutoff) == (GENERIC_DAYS, "2020-06-02")
    assert (old.nodes, old.edges) == (1, 2)  # OLD-1 with her CALLED and USES ties
    assert (old.provenance, old.observations) == (2, 2)  # her row and the phone's; two ties
    assert report.sources["newsrc"].nodes == 0
    store = svc.store
    assert store.get_node(OLD_PERSON) is None
    for kept in ("Person:oldsrc:OLD-2", "Person:oldsrc:OLD-3", "Person:newsrc:NEW-1"):
        assert store.get_node(kept) is not None, kept
    phone = store.get_node(SHARED_PHONE)
    assert phone is not None
    assert [s.source for s in phone.sources] == ["newsrc"]
    assert (phone.first_seen, phone.last_seen) == ("2024-03-01", "2024-03-01")
    assert store.result("net-1") == {"members": ["Person:oldsrc:OLD-2"]}
    assert len(store.quarantine()) == 1  # the runs themselves are recent: quarantine stays
    assert graph_traces(neo4j_store, ["Oudeboom", "OLD-1"]) == []
    remaining = {(t.src, t.dst): t for t in store.iter_ties(types=["CALLED"])}
    assert list(remaining) == [("Person:oldsrc:OLD-2", "Person:oldsrc:OLD-3")]

    again = retention.apply(svc, dt.date(2025, 6, 1))
    assert not any(r.removed_anything for r in again.sources.values())
    audit = (tmp_path / "data" / "audit.jsonl").read_bytes()
    entries = [e for e in map(json.loads, audit.splitlines()) if e["action"] == "retention"]
    assert len(entries) == 2 and entries[0]["details"]["sources"]["oldsrc"]["nodes"] == 1
    assert b"Oudeboom" not in audit and b"OLD-1" not in audit


def test_retention_of_a_partly_expired_tie_recomputes_its_sums_and_dates(
    svc: Service, neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    # A second, recent observation of OLD-2 -> OLD-3 next to the 2024 one, and an old one.
    extra = tmp_path / "extra"
    extra.mkdir()
    relations = "source,target,type,date,weight\nOLD-2,OLD-3,CALLED,2015-01-01,5\n"
    svc.ingest([write(extra / "relations.csv", relations)], "oldsrc", "generic")
    (tie,) = [t for t in svc.store.iter_ties(types=["CALLED"]) if t.src.endswith("OLD-2")]
    assert (tie.observations, tie.first_date) == (2, "2015-01-01")

    report = retention.apply(svc, dt.date(2025, 6, 1))

    assert report.sources["oldsrc"].observations == 3  # two on OLD-1's ties, one here
    (tie,) = [t for t in svc.store.iter_ties(types=["CALLED"]) if t.src.endswith("OLD-2")]
    assert (tie.observations, tie.first_date, tie.last_date) == (1, "2024-06-01", "2024-06-01")
    sub = svc.store.neighbourhood("Person:oldsrc:OLD-2")
    (edge,) = [e for e in sub.edges if e.type == "CALLED"]
    assert (edge.observations, edge.weight, edge.first_seen) == (1, tie.weight, "2024-06-01")


def test_once_every_run_has_expired_its_quarantine_goes_from_the_database_and_disk(
    svc: Service, neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    quarantine_dir = tmp_path / "data" / "quarantine"
    assert list(quarantine_dir.rglob("*.quarantine.jsonl"))
    far = dt.date.today() + dt.timedelta(days=GENERIC_DAYS + 2)

    report = retention.apply(svc, far)

    assert report.sources["oldsrc"].quarantine_rows == 1
    assert report.sources["oldsrc"].quarantine_files == 1
    assert svc.store.quarantine() == []
    assert list(quarantine_dir.rglob("*.quarantine.jsonl")) == []
    assert svc.stats().nodes == {}
    assert graph_traces(neo4j_store, ["Bad Phone", "Oudeboom", "Nieuwkoop"]) == []


def test_backend_for_a_neo4j_store_is_the_neo4j_backend(neo4j_store: Neo4jStore) -> None:
    assert retention.backend_for(neo4j_store) is neo4j_erasure


def test_every_erasure_and_retention_statement_runs_on_the_server(
    neo4j_store: Neo4jStore, tmp_path: Path
) -> None:
    """A hand-made record set that reaches every erase_*/retention_* statement; also checks that
    a kept case's record id naming her gets ONE token, in its provenance and its ties alike."""
    store = neo4j_store
    ann, bob, case, phone = "Person:s:P-1", "Person:s:P-2", "Case:s:C-1/P-1", "Phone:+31612345678"
    used: set[str] = set()
    registry = store.registry
    original = registry.query

    def recording(name, parameters=None, **placeholders):  # type: ignore[no-untyped-def]
        used.add(name)
        return original(name, parameters, **placeholders)

    run_id = store.begin_run("s", "generic", "2024-01-01T00:00:00+00:00")
    person = {"name": "Ann Zeldenrust", "birth_date": "1990-02-03"}
    store.write_batch(
        WriteBatch(
            nodes=[
                NodeRecord(ann, "Person", "Ann Zeldenrust", person, "s", "P-1", "2024-01-02"),
                NodeRecord(bob, "Person", "Bob", {"name": "Bob"}, "s", "P-2", "2024-01-02"),
                NodeRecord(phone, "Phone", "+31612345678", {"number": phone[6:]}, "s", "P-1"),
                NodeRecord(case, "Case", "C-1", {"case_number": "C-1"}, "s", "C-1/P-1"),
            ],
            edges=[
                EdgeRecord(ann, "USES", phone, {}, "s", "P-1", "2024-01-02"),
                EdgeRecord(ann, "SUSPECT_IN", case, {}, "s", "C-1/P-1", "2024-01-03"),
                EdgeRecord(bob, "SUSPECT_IN", case, {}, "s", "C-1/P-1", "2024-01-03"),
            ],
            local_ids=[("s", "P-1", ann)],
        ),
        "2024-01-01T00:00:00+00:00",
    )
    store.add_quarantine(
        run_id, [QuarantineRecord("f.csv", 9, "phone", "bad", {"name": "ANN zeldenrust"})]
    )
    store.finish_run(
        IngestRunSummary(run_id, "s", "generic", "2024-01-01", "2024-01-01", 5, 4, 1, [])
    )
    store.save_result(
        "r1", "networks", "2024-02-01", {"members": [ann, bob], "who": "Ann Zeldenrust"}
    )
    store.save_node_results(
        "r1", [(ann, "N1", {"score": 1.0}), (bob, "N1", {"uid": ann, "score": 0.1})]
    )
    registry.query = recording  # type: ignore[method-assign]
    try:
        erased = neo4j_erasure.erase_person(store, ann, tmp_path / "quarantine")
        kept_case = store.get_node(case)
        (tie,) = [t for t in run_test_statement(store, "dump_ties") if t["type"] == "SUSPECT_IN"]
        expired = neo4j_erasure.apply_retention(store, {"s": 30}, dt.date(2024, 6, 1))
    finally:
        registry.query = original  # type: ignore[method-assign]

    assert (erased.nodes, erased.artefact_nodes, erased.edges, erased.local_ids) == (2, 1, 2, 1)
    assert (erased.provenance_anonymised, erased.quarantine_rows) == (2, 1)
    assert erased.results_scrubbed == 2  # the network document, and Bob's row about her (gone)
    assert kept_case is not None
    (token,) = [s.record for s in kept_case.sources]
    assert token.startswith("erased-") and tie["props"]["obs_keys"] == [f"s{KEY_SEPARATOR}{token}"]
    assert (expired.sources["s"].nodes, expired.sources["s"].edges) == (2, 1)
    assert store.result("r1") == {"members": [], "who": "[erased]"}
    assert store.node_result(bob, "r1") is None
    ours = {n for n in registry.statements if n.startswith(("erase_", "retention_"))}
    assert ours - used == set()
