"""Retention: what a source observed before its retention period goes, with what it alone
supported; what another source (or a recent record) still supports stays. Idempotent, audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from ingest.mapping import MAPPINGS_DIR
from netzicht import cli_privacy, retention
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import write

OLD_ENTITIES = """id,type,name,phone,birth_date,date
OLD-1,Person,Hendrika Oudeboom,06-21436587,01-01-1960,2016-05-01
OLD-2,Person,Gerrit Recent,06-31415926,,2024-05-01
OLD-3,Person,Ulrike Zonderdatum,,,
OLD-4,Person,Bad Phone,12,,2016-05-01
"""
OLD_RELATIONS = """source,target,type,date
OLD-1,OLD-2,CALLED,2016-06-01
OLD-2,OLD-3,CALLED,2024-06-01
"""
NEW_ENTITIES = """id,type,name,phone,date
NEW-1,Person,Willemijn Nieuwkoop,06-21436587,2024-03-01
"""
SHARED_PHONE = "Phone:+31621436587"
OLD_PERSON = "Person:oldsrc:OLD-1"
GENERIC_DAYS = 1825  # ingest/mappings/generic.yaml


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Service]:
    settings = Settings(store=f"sqlite:///{tmp_path / 'store.db'}", data_dir=tmp_path / "data")
    service = Service.open(settings=settings)
    old, new, custom = tmp_path / "old", tmp_path / "new", tmp_path / "custom"
    for d in (old, new, custom):
        d.mkdir()
    service.ingest(
        [write(old / "entities.csv", OLD_ENTITIES), write(old / "relations.csv", OLD_RELATIONS)],
        "oldsrc",
        "generic",
    )
    service.ingest([write(new / "entities.csv", NEW_ENTITIES)], "newsrc", "generic")
    # A source ingested with a mapping file that is no longer among the shipped mappings.
    text = (MAPPINGS_DIR / "generic.yaml").read_text(encoding="utf-8")
    mapping = write(custom / "adhoc.yaml", text.replace("name: generic", "name: adhoc-2016"))
    entities = "id,type,name,date\nADHOC-1,Person,Oskar Eenmalig,2016-01-01\n"
    service.ingest([write(custom / "entities.csv", entities)], "adhoc", mapping)
    service.store.save_result(
        "net-1", "networks", "2024-07-01T00:00:00", {"members": [OLD_PERSON, "Person:oldsrc:OLD-2"]}
    )
    yield service
    service.close()


def store_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("store.db*"))


def test_expired_observations_go_and_what_others_support_stays(
    svc: Service, tmp_path: Path
) -> None:
    assert b"Oudeboom" in store_bytes(tmp_path)
    report = retention.apply(svc, dt.date(2025, 6, 1))

    old = report.sources["oldsrc"]
    assert (old.retention_days, old.cutoff) == (GENERIC_DAYS, "2020-06-02")
    assert old.nodes == 1  # OLD-1; the phone she shared with NEW-1 stays
    assert old.edges == 2  # her CALLED and USES ties
    assert report.sources["newsrc"].nodes == 0
    assert list(report.skipped) == ["adhoc"]
    assert "mapping 'adhoc-2016'" in report.skipped["adhoc"]
    store = svc.store
    assert store.get_node(OLD_PERSON) is None
    for kept in ("Person:oldsrc:OLD-2", "Person:oldsrc:OLD-3", "Person:newsrc:NEW-1"):
        assert store.get_node(kept) is not None, kept
    assert store.get_node("Person:adhoc:ADHOC-1") is not None  # no known period: kept
    phone = store.get_node(SHARED_PHONE)
    assert phone is not None
    assert [s.source for s in phone.sources] == ["newsrc"]
    assert phone.first_seen == "2024-03-01"  # no longer the expired 2016 sighting
    assert store.result("net-1") == {"members": ["Person:oldsrc:OLD-2"]}
    assert len(store.quarantine()) == 1  # the runs themselves are recent: quarantine stays
    assert b"Oudeboom" not in store_bytes(tmp_path)

    again = retention.apply(svc, dt.date(2025, 6, 1))
    assert not any(r.removed_anything for r in again.sources.values())
    assert not again.compacted

    audit = tmp_path / "data" / "audit.jsonl"
    lines = audit.read_text(encoding="utf-8").splitlines()
    entries = [e for e in map(json.loads, lines) if e["action"] == "retention"]
    assert len(entries) == 2 and entries[0]["purpose"] == retention.RETENTION_PURPOSE
    assert entries[0]["details"]["sources"]["oldsrc"]["nodes"] == 1
    assert b"Oudeboom" not in audit.read_bytes() and b"OLD-1" not in audit.read_bytes()


def test_once_every_run_has_expired_its_quarantine_goes_from_table_and_disk(
    svc: Service, tmp_path: Path
) -> None:
    quarantine_dir = tmp_path / "data" / "quarantine"
    assert list(quarantine_dir.rglob("*.quarantine.jsonl"))
    far = dt.date.today() + dt.timedelta(days=GENERIC_DAYS + 2)

    report = retention.apply(svc, far)

    assert report.sources["oldsrc"].quarantine_rows == 1
    assert report.sources["oldsrc"].quarantine_files == 1
    assert svc.store.quarantine() == []
    assert list(quarantine_dir.rglob("*.quarantine.jsonl")) == []
    assert svc.stats().nodes == {"Person": 1}  # only the source without a known period
    assert b"Bad Phone" not in store_bytes(tmp_path)


def test_cli_retention_apply_and_a_bad_date(
    svc: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc.close()
    monkeypatch.setenv("NETZICHT_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("NETZICHT_DATA_DIR", str(tmp_path / "data"))
    app = typer.Typer()
    cli_privacy.register(app)
    runner = CliRunner()

    bad = runner.invoke(app, ["retention", "apply", "--today", "01-06-2025"])
    assert bad.exit_code == 2 and "not a date (use YYYY-MM-DD)" in bad.output

    result = runner.invoke(app, ["retention", "apply", "--today", "2025-06-01", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["sources"]["oldsrc"]["nodes"] == 1
    assert "adhoc" in document["skipped"]

    table = runner.invoke(app, ["retention", "apply", "--today", "2025-06-01"])
    assert table.exit_code == 0
    assert "oldsrc" in table.stdout and "adhoc" in table.output  # the warning names it
