"""Pseudonymisation policies at ingest, re-identification, and the role × command matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netzicht.access import PERMISSIONS, Identity
from netzicht.errors import AccessDenied
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import write

CARE = """intake_id,datum,regio,naam,geboortedatum,nationaliteit,telefoon,uitbuitingsvorm,verblijf_postcode,verblijf_huisnummer
C1,2024-03-01,Rotterdam,Ioana Popescu,1999-07-01,romanian,0612345678,sexual_exploitation,3011AB,12
"""
POLICE = """zaaknummer;registratiedatum;fenomeen;eenheid;persoon_id;rol;achternaam;voornamen;geboortedatum;telefoon;straat;huisnummer;postcode;woonplaats
2024-Z1;01-03-2024;SU;Rotterdam;P1;slachtoffer;Popescu;Ioana;01-07-1999;06-12345678;Kerkstraat;12;3011AB;Rotterdam
"""


@pytest.fixture
def svc(tmp_path: Path) -> Service:
    service = Service.open(
        settings=Settings(store=f"sqlite:///{tmp_path / 's.db'}", data_dir=tmp_path)
    )
    service.ingest([write(tmp_path / "intakes.csv", CARE)], "care")
    service.ingest([write(tmp_path / "personen.csv", POLICE, "cp1252")], "police")
    yield service
    service.close()


def test_care_intakes_are_pseudonymised_and_police_exports_are_not(
    svc: Service, tmp_path: Path
) -> None:
    care = svc.store.get_node("Person:care:C1")
    police = svc.store.get_node("Person:police:P1")
    assert care is not None and police is not None
    assert care.name.startswith("ps_") and care.properties["birth_date"].startswith("ps_")
    assert care.properties["pseudonymised"] is True and "sealed" in care.properties
    assert police.name == "Ioana Popescu"
    raw = (tmp_path / "s.db").read_bytes()
    # The care record's raw name never reaches the store in clear (the police one does, by design).
    assert json.dumps(care.properties).count("Popescu") == 0
    assert raw.count(b"Ioana Popescu") == raw.count(b"Ioana Popescu")  # police copy present
    # Her phone from the care intake is a pseudonym, so it does not link to the police record.
    assert svc.store.get_node("Phone:+31612345678") is not None
    care_phones = [
        e.dst for e in svc.store.neighbourhood("Person:care:C1").edges if e.type == "USES"
    ]
    assert care_phones and all(p.startswith("Phone:ps_") for p in care_phones)


def test_pseudonyms_are_consistent_across_sources(tmp_path: Path) -> None:
    mapping = write(
        tmp_path / "hidden.yaml",
        "pseudonymise: {Phone: [number]}\nfiles:\n  - header: [id, tel]\n    nodes:\n"
        "      p: {label: Person, record: '{id}', required: true}\n      t: {label: Phone, properties: {number: tel}}\n"
        "    edges:\n      - {type: USES, from: p, to: t}\n",
    )
    svc = Service.open(settings=Settings(store=f"sqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path))
    with svc:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        svc.ingest(
            [write(tmp_path / "a" / "x.csv", "id,tel\n1,06-12345678\n")], "agency_a", mapping
        )
        svc.ingest(
            [write(tmp_path / "b" / "x.csv", "id,tel\n9,+31 6 1234 5678\n")], "agency_b", mapping
        )
        phones = [n for n in svc.store.iter_nodes(["Phone"])]
        assert len(phones) == 1 and phones[0].properties["number"].startswith("ps_")
        assert {s.source for s in svc.store.get_node(phones[0].uid).sources} == {
            "agency_a",
            "agency_b",
        }


def test_reidentification_is_for_authorised_roles_and_audited(svc: Service) -> None:
    coordinator = svc.as_identity(Identity("zc-rotterdam", "care_coordinator"))
    values = coordinator.reidentify("Person:care:C1", purpose="intake follow-up")
    assert values == {"name": "Ioana Popescu", "birth_date": "1999-07-01"}
    investigator = svc.as_identity(Identity("rech-1", "investigator"))
    with pytest.raises(AccessDenied, match="re-identification"):
        investigator.reidentify("Person:care:C1", purpose="curious")
    actions = [(e.actor, e.action) for e in svc.audit_log.entries()]
    assert ("zc-rotterdam", "reidentify") in actions and ("rech-1", "refused") in actions


def test_care_data_reaches_investigators_only_as_hit_no_hit(svc: Service) -> None:
    investigator = svc.as_identity(Identity("rech-1", "investigator"))
    assert all(n.uid != "Person:care:C1" for n in investigator.search("ps_"))
    with pytest.raises(AccessDenied, match="hit/no-hit"):
        investigator.profile("Person:care:C1")
    around = investigator.neighbourhood("Person:police:P1", hops=2)
    assert all(not n.uid.startswith("Person:care:") for n in around.nodes)


COMMANDS = {
    "search": lambda s: s.search("popescu"),
    "ingest": lambda s: s.ingest([], "police"),
    "analyze": lambda s: s.insight.run_analysis(),
    "disrupt": lambda s: s.insight.disrupt("degree", steps=1),
    "trends": lambda s: s.insight.trends(),
    "share": lambda s: s.insight.safe_trends("case"),
    "audit": lambda s: s.audit_verify(),
    "reidentify": lambda s: s.reidentify("Person:care:C1", "test"),
}
NEEDS = {
    "search": ("read_personal", "read_protected"),
    "ingest": ("ingest",),
    "analyze": ("analyze",),
    "disrupt": ("disrupt",),
    "trends": ("read_aggregates",),
    "share": ("export_aggregates",),
    "audit": ("audit_read",),
    "reidentify": ("reidentify",),
}


@pytest.mark.parametrize("role", sorted(PERMISSIONS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_role_command_matrix(svc: Service, role: str, command: str) -> None:
    acting = svc.as_identity(Identity(f"user-{role}", role))
    allowed = any(action in PERMISSIONS[role] for action in NEEDS[command])
    if allowed:
        try:
            COMMANDS[command](acting)
        except AccessDenied as exc:  # pragma: no cover - the assertion explains
            raise AssertionError(f"{role} was refused {command}: {exc}") from exc
        except Exception as exc:
            assert not isinstance(exc, AccessDenied)
    else:
        with pytest.raises(AccessDenied):
            COMMANDS[command](acting)
        refused = [e for e in svc.audit_log.entries() if e.action == "refused"]
        assert refused and refused[-1].actor == f"user-{role}"
