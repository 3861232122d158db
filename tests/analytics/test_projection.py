"""The actor graph: direct ties, shared artefacts, linked artefacts, time windows, victims."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from analytics.networks import actor_projection
from analytics.projection import (
    CONFIG_PATH,
    AnalyticsError,
    ProjectionConfig,
    parse_date,
    project,
)
from tests.analytics.builders import edge, node, person, write

P = "Person:police:"


def tie(actor, a: str, b: str) -> int:  # type: ignore[no-untyped-def]
    found = actor.tie_index(actor.index[P + a], actor.index[P + b])
    assert found is not None, f"no tie {a}-{b}"
    return found


def test_shared_address_is_weighted_one_over_k_minus_one(tmp_path: Path) -> None:
    people = [person("police", x, x.upper()) for x in "abc"]
    store = write(
        tmp_path / "s.db",
        [*people, node("Address:1011AB|1")],
        [edge(p.uid, "LIVES_AT", "Address:1011AB|1") for p in people],
    )
    actor = project(store)
    assert actor.m == 3
    # LIVES_AT weight 0.7, three residents: each pair gets 0.7 / 2
    assert actor.weight[tie(actor, "a", "b")] == pytest.approx(0.35)
    assert actor.describe_tie(tie(actor, "a", "c"))[0].startswith("share address")


def test_repeated_calls_add_up_inside_an_inclusive_window(tmp_path: Path) -> None:
    a, b = person("police", "a", "A"), person("police", "b", "B")
    calls = [edge(a.uid, "CALLED", b.uid, d) for d in ("2024-01-01", "2024-01-15", "2024-02-01")]
    store = write(tmp_path / "s.db", [a, b], calls)
    assert project(store).weight.tolist() == [3.0]
    window = project(store, dt.date(2024, 1, 1), dt.date(2024, 1, 15))
    assert window.weight.tolist() == [2.0]
    assert window.describe_tie(0) == ["CALLED ×2 (2024-01-01–2024-01-15)"]
    assert project(store, dt.date(2024, 3, 1)).m == 0


def test_phones_calling_each_other_tie_their_users(tmp_path: Path) -> None:
    a, b = person("police", "a", "A"), person("police", "b", "B")
    pa, pb = "Phone:+31611111111", "Phone:+31622222222"
    store = write(
        tmp_path / "s.db",
        [a, b, node(pa), node(pb)],
        [
            edge(a.uid, "USES", pa),
            edge(b.uid, "USES", pb),
            edge(pa, "CALLED", pb, "2024-05-01"),
            edge(pa, "CALLED", pb, "2024-05-02"),
        ],
    )
    actor = project(store)
    assert actor.m == 1 and actor.weight[0] == pytest.approx(2.0)
    assert actor.describe_tie(0) == [
        "phone +31611111111 called phone +31622222222 ×2 (2024-05-01–2024-05-02)"
    ]


def test_money_flows_one_way_in_the_directed_view(tmp_path: Path) -> None:
    payer, payee = person("fiu", "a", "Payer"), person("fiu", "b", "Payee")
    store = write(
        tmp_path / "s.db",
        [payer, payee, node("BankAccount:NL1"), node("BankAccount:NL2")],
        [
            edge(payer.uid, "HOLDS", "BankAccount:NL1"),
            edge(payee.uid, "HOLDS", "BankAccount:NL2"),
            edge("BankAccount:NL1", "TRANSFERRED_TO", "BankAccount:NL2", "2024-01-01", amount=900),
        ],
    )
    actor = project(store)
    directed = actor_projection(actor, directed=True)
    assert directed.directed and directed.m == 1
    assert actor.people[directed.src[0]] == payer.uid
    assert actor.people[directed.dst[0]] == payee.uid
    assert not actor_projection(actor).directed


def test_crowded_artefacts_are_not_expanded(tmp_path: Path) -> None:
    people = [person("police", f"p{i:03d}", f"P{i}") for i in range(61)]
    store = write(
        tmp_path / "s.db",
        [*people, node("Case:police:BIG")],
        [edge(p.uid, "WITNESS_IN", "Case:police:BIG") for p in people],
    )
    assert project(store).m == 0  # 61 people > max_artefact_people (60)


def test_victims_known_three_ways_and_probable_victims(tmp_path: Path) -> None:
    by_role = person("police", "r", "Role", role="victim")
    in_case = person("police", "c", "Case victim")
    in_intake = person("care", "i", "Intake")
    same_phone = person("fiu", "k", "FIU record of the case victim")
    other = person("police", "o", "Other")
    intake = node("Signal:care:S1", source="care", kind="care_intake")
    store = write(
        tmp_path / "s.db",
        [
            by_role,
            in_case,
            in_intake,
            same_phone,
            other,
            intake,
            node("Case:police:Z1"),
            node("Phone:+31633333333"),
        ],
        [
            edge(in_case.uid, "VICTIM_IN", "Case:police:Z1"),
            edge(other.uid, "SUSPECT_IN", "Case:police:Z1"),
            edge("Signal:care:S1", "CONCERNS", in_intake.uid),
            edge(in_case.uid, "USES", "Phone:+31633333333"),
            edge(same_phone.uid, "USES", "Phone:+31633333333"),
        ],
    )
    actor = project(store)
    victims = {str(u) for u in actor.people[actor.victim]}
    assert victims == {by_role.uid, in_case.uid, in_intake.uid, same_phone.uid}


def test_relation_types_restrict_the_projection(tmp_path: Path) -> None:
    a, b, c = (person("police", x, x) for x in "abc")
    store = write(
        tmp_path / "s.db",
        [a, b, c],
        [edge(a.uid, "CALLED", b.uid, "2024-01-01"), edge(b.uid, "MET", c.uid, "2024-01-02")],
    )
    assert project(store).m == 2
    only_calls = project(store, types=["CALLED"])
    assert only_calls.m == 1 and only_calls.describe_tie(0) == ["CALLED (2024-01-01)"]
    with pytest.raises(AnalyticsError, match="unknown relationship type 'PHONED'"):
        project(store, types=["PHONED"])


def test_bad_dates_and_windows_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError, match="--since: '2024-13-01' is not an ISO date"):
        parse_date("2024-13-01", "--since")
    store = write(tmp_path / "s.db", [], [])
    with pytest.raises(AnalyticsError, match="after --until"):
        project(store, dt.date(2024, 2, 1), dt.date(2024, 1, 1))
    assert np.array_equal(project(store).victim, np.zeros(0, dtype=bool))


def test_the_projection_config_is_read_once_per_version_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "projection.yaml"
    path.write_text(CONFIG_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    first = ProjectionConfig.load(path)
    first.relationships["CALLED"].weight = 99.0  # a caller's change stays its own
    assert ProjectionConfig.load(path).relationships["CALLED"].weight != 99.0
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "max_artefact_people: 60", "max_artefact_people: 7"
        ),
        encoding="utf-8",
    )
    assert ProjectionConfig.load(path).max_artefact_people == 7  # an edited file is read again
    path.write_text("artefacts: [Planet]\nrelationships: {}\n", encoding="utf-8")
    with pytest.raises(AnalyticsError, match="unknown label 'Planet'"):
        ProjectionConfig.load(path)
