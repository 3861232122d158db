"""How victims are recognised and how a resolved person's several records count in the score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analytics.organiser import compute_signals, signal_components
from analytics.projection import ActorGraph, project
from netzicht.analytics_service import AnalyticsService
from netzicht.service import Service
from netzicht.settings import Settings
from tests.analytics.builders import edge, node, person, write


def flags(actor: ActorGraph, uid: str) -> tuple[bool, bool]:
    """(protected as a victim, counted as a victim by the role signals)"""
    i = actor.index[uid]
    protected = bool(actor.victim[i])
    counted = bool(actor.identified_victim[i])
    return protected, counted


def test_an_exploitation_finding_makes_a_probable_victim(tmp_path: Path) -> None:
    found = person("nla", "W1", "Worker with unpaid wages")
    clean = person("nla", "W2", "Worker without a finding")
    suspect = person("nla", "W3", "Worker who is a suspect")
    nodes = [found, clean, suspect, node("Organisation:nla:K1"), node("Case:police:Z1")]
    edges = [edge(w.uid, "WORKS_FOR", "Organisation:nla:K1") for w in (found, clean, suspect)]
    for i, (worker, kind) in enumerate(
        ((found, "unpaid_wages"), (clean, "no_finding"), (suspect, "passport_withheld"))
    ):
        nodes.append(node(f"Signal:nla:F{i}", source="nla", kind=kind))
        edges.append(edge(f"Signal:nla:F{i}", "CONCERNS", worker.uid, source="nla"))
    edges.append(edge(suspect.uid, "SUSPECT_IN", "Case:police:Z1"))
    actor = project(write(tmp_path / "s.db", nodes, edges))
    assert flags(actor, found.uid) == (True, True)
    assert flags(actor, clean.uid) == (False, False)
    assert flags(actor, suspect.uid) == (False, False)  # a source records them as offender


def test_someone_who_only_pays_is_protected_but_not_counted(tmp_path: Path) -> None:
    payer = person("fiu", "K1", "Pays, never receives")
    collector = person("fiu", "K2", "Collects")
    boss = person("fiu", "K3", "Receives from the collector")
    suspect = person("fiu", "K4", "Pays too, but is a suspect")
    twin_pays = person("fiu", "K5", "Pays from one record")
    twin_gets = person("police", "P5", "Receives on another record of the same person")
    accounts = [f"BankAccount:NL{i}" for i in range(1, 7)]
    nodes = [payer, collector, boss, suspect, twin_pays, twin_gets, node("Case:police:Z1")]
    nodes += [node(a) for a in accounts]
    edges = [
        edge(payer.uid, "HOLDS", accounts[0]),
        edge(collector.uid, "HOLDS", accounts[1]),
        edge(boss.uid, "HOLDS", accounts[2]),
        edge(suspect.uid, "HOLDS", accounts[3]),
        edge(twin_pays.uid, "HOLDS", accounts[4]),
        edge(twin_gets.uid, "HOLDS", accounts[5]),
        edge(accounts[0], "TRANSFERRED_TO", accounts[1], "2024-01-01", amount=500),
        edge(accounts[3], "TRANSFERRED_TO", accounts[1], "2024-01-02", amount=500),
        edge(accounts[4], "TRANSFERRED_TO", accounts[1], "2024-01-03", amount=500),
        edge(accounts[2], "TRANSFERRED_TO", accounts[5], "2024-01-04", amount=50),
        edge(accounts[1], "TRANSFERRED_TO", accounts[2], "2024-01-05", amount=1500),
        edge(suspect.uid, "SUSPECT_IN", "Case:police:Z1"),
        edge(twin_pays.uid, "SAME_AS", twin_gets.uid, source="resolution"),
    ]
    actor = project(write(tmp_path / "s.db", nodes, edges))
    assert flags(actor, payer.uid) == (True, False)  # a possible victim: protected only
    assert flags(actor, collector.uid) == (False, False)
    assert flags(actor, suspect.uid) == (False, False)
    assert flags(actor, twin_pays.uid) == (False, False)  # the person also receives
    signals = compute_signals(actor, np.zeros(actor.n, dtype=np.int64))
    # the mark comes from the money itself: the collector's score does not feed on it
    assert signals.victim_accounts[actor.index[collector.uid]] == 0


def test_a_victim_is_every_record_of_the_resolved_person(tmp_path: Path) -> None:
    a = person("police", "A", "Victim", role="victim")
    b, c = person("fiu", "B", "Victim again"), person("nla", "C", "Victim a third time")
    edges = [
        edge(a.uid, "SAME_AS", b.uid, source="resolution"),
        edge(b.uid, "SAME_AS", c.uid, source="resolution"),
    ]
    actor = project(write(tmp_path / "s.db", [a, b, c], edges))
    assert all(flags(actor, u.uid) == (True, True) for u in (a, b, c))


def persons_store(tmp_path: Path, resolved: bool):  # type: ignore[no-untyped-def]
    """A lieutenant recorded by the police (suspect, calls a victim) and by the FIU (an account
    the mule pays into); the victim recorded by the police and by the inspectorate."""
    lt_police = person("police", "L", "Lieutenant")
    lt_fiu = person("fiu", "KL", "Lieutenant")
    victim = person("police", "V", "Victim", role="victim")
    victim_nla = person("nla", "WV", "Victim")
    mule = person("fiu", "KM", "Mule")
    nodes = [lt_police, lt_fiu, victim, victim_nla, mule, node("Case:police:Z1")]
    nodes += [node("BankAccount:NLL"), node("BankAccount:NLM"), node("BankAccount:NLV")]
    nodes += [node("Organisation:nla:K1")]
    edges = [
        edge(lt_police.uid, "CALLED", victim.uid, "2024-01-01"),
        edge(lt_police.uid, "SUSPECT_IN", "Case:police:Z1"),
        edge(victim.uid, "VICTIM_IN", "Case:police:Z1"),
        edge(lt_fiu.uid, "HOLDS", "BankAccount:NLL"),
        edge(mule.uid, "HOLDS", "BankAccount:NLM"),
        edge(victim_nla.uid, "HOLDS", "BankAccount:NLV"),
        edge("BankAccount:NLV", "TRANSFERRED_TO", "BankAccount:NLM", "2024-01-02", amount=800),
        edge("BankAccount:NLM", "TRANSFERRED_TO", "BankAccount:NLL", "2024-01-03", amount=3000),
        edge(lt_fiu.uid, "CALLED", mule.uid, "2024-01-04"),
        edge(victim_nla.uid, "WORKS_FOR", "Organisation:nla:K1"),
        edge(mule.uid, "WORKS_FOR", "Organisation:nla:K1"),
    ]
    if resolved:
        edges += [
            edge(lt_police.uid, "SAME_AS", lt_fiu.uid, source="resolution"),
            edge(victim.uid, "SAME_AS", victim_nla.uid, source="resolution"),
        ]
    actor = project(write(tmp_path / f"s{int(resolved)}.db", nodes, edges))
    return actor, compute_signals(actor, np.zeros(actor.n, dtype=np.int64))


def test_a_resolved_persons_records_carry_the_whole_persons_signals(tmp_path: Path) -> None:
    actor, sig = persons_store(tmp_path, resolved=True)
    police, fiu = actor.index["Person:police:L"], actor.index["Person:fiu:KL"]
    for name in ("collected_accounts", "victim_accounts_indirect", "suspect_cases", "sources"):
        values = getattr(sig, name)
        assert values[police] == values[fiu] > 0, name
    # the SAME_AS tie is no hop: the FIU record is not "low exposure" because the police record
    # calls the victim directly, and the victim's two records are one victim
    assert sig.victims_direct[fiu] == sig.victims_2hop[fiu] == 1
    assert signal_components(sig)[fiu, 4] == 0.0  # low_exposure


def test_unresolved_records_keep_their_own_signals(tmp_path: Path) -> None:
    actor, sig = persons_store(tmp_path, resolved=False)
    police, fiu = actor.index["Person:police:L"], actor.index["Person:fiu:KL"]
    assert sig.collected_accounts[police] == 0 and sig.collected_accounts[fiu] == 1
    assert sig.suspect_cases[fiu] == 0 and sig.suspect_cases[police] == 1


def test_people_who_only_pay_are_never_key_actors(tmp_path: Path) -> None:
    """A small ring: the boss's account receives from two people who only pay; a recruiter
    (suspect) handles them. Only the boss and the recruiter are key actors."""
    boss = person("fiu", "B", "Boss")
    recruiter = person("police", "R", "Recruiter")
    payers = [person("fiu", f"D{i}", f"Debtor {i}") for i in range(2)]
    nodes = [boss, recruiter, *payers, node("BankAccount:NLB"), node("Case:police:Z1")]
    edges = [
        edge(boss.uid, "HOLDS", "BankAccount:NLB"),
        edge(recruiter.uid, "SUSPECT_IN", "Case:police:Z1"),
        edge(boss.uid, "CALLED", recruiter.uid, "2024-01-01"),
    ]
    for i, payer in enumerate(payers):
        nodes.append(node(f"BankAccount:NLD{i}"))
        edges += [
            edge(payer.uid, "HOLDS", f"BankAccount:NLD{i}"),
            edge(f"BankAccount:NLD{i}", "TRANSFERRED_TO", "BankAccount:NLB", "2024-02-01"),
            edge(recruiter.uid, "CALLED", payer.uid, f"2024-01-0{i + 2}"),
            edge(payer.uid, "MET", payers[1 - i].uid, "2024-01-09"),
        ]
    store = write(tmp_path / "ring.db", nodes, edges)
    settings = Settings(store=f"sqlite:///{tmp_path / 'ring.db'}", data_dir=tmp_path / "data")
    result = AnalyticsService(store, settings).analyze()
    (network,) = result.networks
    assert {k.uid for k in network.key_actors} == {boss.uid, recruiter.uid}
    assert not {a.uid for a in result.actors} & {p.uid for p in payers}
    assert network.victims == 2
    # An investigator opening a debtor's profile reads why they are protected, not a bare 0.
    with Service.open(settings=settings) as svc:
        profile = svc.profile(payers[0].uid)
        boss_profile = svc.profile(boss.uid)
    assert profile is not None and profile.is_victim
    assert profile.victim_reason is not None
    assert profile.victim_reason.startswith("possible victim: only pays")
    assert boss_profile is not None and not boss_profile.is_victim


@pytest.mark.parametrize("kind", ["unpaid_wages", "passport_withheld", "housing_tied_to_work"])
def test_every_configured_finding_kind_marks_a_victim(tmp_path: Path, kind: str) -> None:
    worker = person("nla", "W1", "Worker")
    store = write(
        tmp_path / "s.db",
        [worker, node("Signal:nla:F1", source="nla", kind=kind)],
        [edge("Signal:nla:F1", "CONCERNS", worker.uid, source="nla")],
    )
    assert flags(project(store), worker.uid) == (True, True)
