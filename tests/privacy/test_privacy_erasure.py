"""Erasure on the embedded store: the person and everything derived from them are gone from the
graph, the results, the quarantine and from the bytes of every file — and nobody else is touched.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from graph_model.store.sqlite import SQLiteStore
from graph_model.store.sqlite_erasure import IdentifyingValues, erase_person
from ingest.pipeline import ingest_paths
from ingest.synth import SynthConfig, generate
from netzicht import cli_privacy, retention
from netzicht.errors import NetzichtError
from tests.conftest import write

HER = "Person:acme:ACME-ERASE-0001"
BERTUS = "Person:acme:ACME-KEEP-0002"
CORRIE = "Person:acme:ACME-KEEP-0003"
HER_PHONE = "Phone:+31638472915"
HER_IBAN = "BankAccount:NL20INGB0001234567"
SHARED_ADDRESS = "Address:1016EK|401"

ENTITIES = """id,type,name,phone,iban,street,house_number,postcode,city,region,birth_date,date
ACME-ERASE-0001,Person,XANDRINA  quellenberg,06-38472915,NL20INGB0001234567,Keizersgracht,401,1016 EK,Amsterdam,Amsterdam,14-03-1977,2024-02-01
ACME-KEEP-0002,Person,Bertus Okkerman,06-11122233,,Keizersgracht,401,1016 EK,Amsterdam,Amsterdam,02-09-1985,2024-02-01
ACME-KEEP-0003,Person,Corrie Vlasblom,06-44455566,,Prinsengracht,12,1015 DX,Amsterdam,Amsterdam,05-05-1990,2024-02-03
ACME-CASE-01,Case,2024-ACME-01,,,,,,,Amsterdam,,2024-01-15
ACME-ERASE-0009,Person,Xandrina Quellenberg,,NL00BADIBAN,,,,,,,2024-02-05
ACME-KEEP-0004,Person,Dirk Wensveen,,NL00BADIBAN,,,,,,,2024-02-05
"""
RELATIONS = """source,target,type,date,weight
ACME-ERASE-0001,ACME-KEEP-0002,CALLED,2024-02-10,
ACME-KEEP-0002,ACME-KEEP-0003,CALLED,2024-02-11,
ACME-ERASE-0001,ACME-CASE-01,SUSPECT_IN,2024-01-20,
ACME-KEEP-0002,ACME-CASE-01,VICTIM_IN,,
ACME-ERASE-0001,ACME-KEEP-0003,EATS,,
ACME-KEEP-0003,ACME-KEEP-0002,EATS,,
"""

# Every form in which her values were written: raw input, normalised, folded for search.
HER_VALUES = [
    b"Quellenberg",
    b"quellenberg",
    b"QUELLENBERG",
    b"ACME-ERASE-0001",
    b"ACME-ERASE-0009",
    b"38472915",
    b"1977-03-14",
    b"14-03-1977",
    b"NL20INGB0001234567",
]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth300")
    generate(SynthConfig(seed=11, scale=300), out)
    return out


def build(root: Path, synth: Path) -> tuple[SQLiteStore, Path]:
    """A store with the synthetic agency exports plus an `acme` export holding her."""
    store = SQLiteStore(root / "store.db")
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
    return store, quarantine


def files_of(root: Path) -> dict[str, bytes]:
    """Every file of the store (db, -wal, -shm) and of the quarantine directory, as bytes."""
    paths = [*root.glob("store.db*"), *(root / "data").rglob("*")]
    return {str(p): p.read_bytes() for p in paths if p.is_file()}


def traces(files: dict[str, bytes]) -> list[tuple[str, str]]:
    return [
        (Path(name).name, value.decode())
        for name, data in files.items()
        for value in HER_VALUES
        if value in data
    ]


def counts(store: SQLiteStore) -> tuple[dict[str, int], dict[str, int]]:
    stats = store.stats()
    return stats.nodes, stats.edges


@pytest.mark.parametrize("secure_delete", ["ON", "OFF"])
def test_erased_person_leaves_no_bytes_in_any_file_and_no_one_else_is_touched(
    tmp_path: Path, synth: Path, secure_delete: str
) -> None:
    store, quarantine = build(tmp_path, synth)
    # OFF: a store file written by a connection without secure_delete; VACUUM must still clean it.
    store._db.execute(f"PRAGMA secure_delete={secure_delete}")
    before_nodes, before_edges = counts(store)
    before_quarantine = store.quarantine(limit=100_000)
    found = {name for name, _ in traces(files_of(tmp_path))}
    assert found & {"store.db", "store.db-wal"}  # she is really there before
    assert found >= {"entities.csv.quarantine.jsonl", "relations.csv.quarantine.jsonl"}

    report = erase_person(store, HER, quarantine)

    # The person, her own phone and account went; the address she shared with Bertus stayed.
    assert report.found and (report.nodes, report.artefact_nodes) == (3, 2)
    assert report.edges == 5  # USES, HOLDS, LIVES_AT, CALLED, SUSPECT_IN
    assert (report.quarantine_rows, report.quarantine_lines, report.files_rewritten) == (2, 2, 2)
    assert report.wal_truncated and report.free_pages == 0
    assert store.get_node(HER) is None and store.get_node(HER_PHONE) is None
    assert store.get_node(HER_IBAN) is None
    address = store.get_node(SHARED_ADDRESS)
    assert address is not None
    assert sorted(s.record.startswith("erased-") for s in address.sources) == [False, True]
    nodes, edges = counts(store)
    expected_nodes = dict(before_nodes, Person=before_nodes["Person"] - 1)
    expected_nodes.update(
        Phone=before_nodes["Phone"] - 1, BankAccount=before_nodes["BankAccount"] - 1
    )
    assert nodes == expected_nodes
    lost = {"USES": 1, "HOLDS": 1, "LIVES_AT": 1, "CALLED": 1, "SUSPECT_IN": 1}
    assert edges == {t: n - lost.get(t, 0) for t, n in before_edges.items()}
    bertus = store.neighbourhood(BERTUS)
    assert {n.uid for n in bertus.nodes} == {
        BERTUS,
        CORRIE,
        SHARED_ADDRESS,
        "Case:acme:ACME-CASE-01",
        "Phone:+31611122233",
    }

    # Derived results: her membership, actor entry, links and per-node scores are gone.
    document = store.result("networks-1")
    assert document is not None
    assert document["networks"] == [
        {"id": "N1", "members": [BERTUS, CORRIE], "label": "around [erased]"}
    ]
    assert [a["uid"] for a in document["key_actors"]] == [BERTUS]
    assert document["links"] == {BERTUS: 0.2}
    assert document["edges"] == [{"src": BERTUS, "dst": CORRIE}]
    assert store.node_result(HER, "networks-1") is None
    assert store.node_result(HER_PHONE, "networks-1") is None
    assert store.node_result(BERTUS, "networks-1") == {
        "score": 0.5,
        "reasons": ["called by [erased]"],
    }

    # Quarantine: exactly her two rows are gone; Dirk's and Corrie's rejected rows stay.
    after_quarantine = store.quarantine(limit=100_000)
    assert len(after_quarantine) == len(before_quarantine) - 2
    kept_acme = {json.dumps(q.row, ensure_ascii=False) for q in after_quarantine}
    assert any("Dirk Wensveen" in row for row in kept_acme)
    assert any('"EATS"' in row for row in kept_acme)

    # No byte of her in any file — while the store is open, and after it is closed.
    assert traces(files_of(tmp_path)) == []
    store.close()
    assert traces(files_of(tmp_path)) == []
    assert b"Dirk Wensveen" in b"".join(files_of(tmp_path).values())


def test_erasing_a_police_suspect_keeps_the_case_and_the_other_suspects(
    tmp_path: Path, synth: Path
) -> None:
    store, quarantine = build(tmp_path, synth)
    db = sqlite3.connect(tmp_path / "store.db")
    # A police suspect in a case with at least two other persons.
    uid, case = db.execute(
        "SELECT e.src, e.dst FROM edges e WHERE e.type = 'SUSPECT_IN' AND e.src LIKE "
        "'Person:police:%' AND (SELECT count(*) FROM edges f WHERE f.dst = e.dst "
        "AND f.src LIKE 'Person:%') >= 3 ORDER BY e.src LIMIT 1"
    ).fetchone()
    db.close()
    police_id = uid.split(":")[2]
    others = {e.src for e in store.neighbourhood(case).edges if e.src.startswith("Person:")}
    others.discard(uid)
    assert police_id.encode() in b"".join(files_of(tmp_path).values())

    report = erase_person(store, uid, quarantine)

    assert report.found and report.provenance_anonymised >= 1
    after = store.neighbourhood(case)
    assert {e.src for e in after.edges if e.src.startswith("Person:")} == others
    kept_case = store.get_node(case)
    assert kept_case is not None and kept_case.sources
    assert all(police_id not in s.record for s in kept_case.sources)
    store.close()
    assert police_id.encode() not in b"".join(files_of(tmp_path).values())


def test_quarantined_rows_are_recognised_by_normalised_values_and_split_names() -> None:
    values = IdentifyingValues(ids={"P0000042"}, names={"efe osagie"}, dates={"1998-08-10"})
    values.add_number("phone", "+31638472915")
    assert values.matches({"voornamen": "Efe", "achternaam": "OSAGIE", "rol": "verdachte"})
    assert values.matches({"geboortedatum": "10-08-1998"})
    assert values.matches({"van_nummer": "0031 6 3847 2915"})
    assert values.matches({"raw": "2024-Z1;30-04-2024;P0000042;verdachte;broken"})
    assert not values.matches({"voornamen": "Efe", "achternaam": "Okafor", "id": "P00000421"})


def test_erasing_again_or_an_unknown_uid_removes_nothing(tmp_path: Path, synth: Path) -> None:
    store, quarantine = build(tmp_path, synth)
    erase_person(store, HER, quarantine)
    nodes, edges = counts(store)
    rows = len(store.quarantine(limit=100_000))
    for uid in (HER, "Person:acme:NOBODY"):
        again = erase_person(store, uid, quarantine)
        assert not again.found
        assert (again.nodes, again.edges, again.quarantine_rows, again.results_scrubbed) == (
            0,
            0,
            0,
            0,
        )
    assert counts(store) == (nodes, edges)
    assert len(store.quarantine(limit=100_000)) == rows
    store.close()


def cli() -> typer.Typer:
    app = typer.Typer()
    cli_privacy.register(app)
    return app


def test_cli_erase_needs_yes_audits_counts_only_and_audit_verify_catches_tampering(
    tmp_path: Path, synth: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = build(tmp_path, synth)
    store.close()
    monkeypatch.setenv("NETZICHT_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("NETZICHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NETZICHT_ROLE", "admin")
    runner = CliRunner()

    refused = runner.invoke(cli(), ["erase", "--uid", HER])
    assert refused.exit_code == 2
    assert "cannot be undone" in refused.output and "--yes" in refused.output
    check = SQLiteStore(tmp_path / "store.db")
    assert check.get_node(HER) is not None  # nothing happened without --yes
    check.close()

    monkeypatch.setenv("NETZICHT_ROLE", "analyst")
    denied = runner.invoke(cli(), ["erase", "--uid", HER, "--yes"])
    assert denied.exit_code == 2 and "only administrators erase" in denied.output
    monkeypatch.setenv("NETZICHT_ROLE", "admin")

    done = runner.invoke(
        cli(), ["erase", "--uid", HER, "--yes", "--purpose", "AVG request 2024-117", "--json"]
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["found"], report["nodes"], report["edges"]) == (True, 3, 5)

    audit = tmp_path / "data" / "audit.jsonl"
    entries = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    erase_entry = entries[-1]
    assert erase_entry["action"] == "erase"
    assert erase_entry["purpose"] == "AVG request 2024-117"
    assert erase_entry["target"] == report["reference"]
    assert erase_entry["details"]["nodes"] == 3
    assert traces({str(audit): audit.read_bytes()}) == []
    assert traces(files_of(tmp_path)) == []

    ok = runner.invoke(cli(), ["audit", "verify", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    lines = audit.read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].replace('"nodes":3', '"nodes":0')
    audit.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tampered = runner.invoke(cli(), ["audit", "verify"])
    assert tampered.exit_code == 1
    assert "hash mismatch" in tampered.stdout


def test_a_store_without_an_erasure_backend_is_refused_by_name() -> None:
    class Elsewhere:  # what `netzicht erase --store neo4j://…` reaches until Neo4j has a backend
        uri = "neo4j://graph.example:7687"

    with pytest.raises(NetzichtError, match=r"erasure on neo4j://graph\.example:7687 is not"):
        retention.backend_for(Elsewhere())  # type: ignore[arg-type]
