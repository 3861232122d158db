"""The analytics service end to end on real SQLite stores: analyze, ids, disrupt, leads, report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analytics.projection import AnalyticsError
from graph_model.store.sqlite import SQLiteStore
from netzicht import retention
from netzicht.access import Identity
from netzicht.analytics_service import AnalyticsService
from netzicht.service import Service
from netzicht.settings import Settings
from tests.analytics.builders import INGESTED, edge, person, trafficking_ring, write


def test_the_organiser_leads_each_ring_and_victims_are_never_ranked(
    analytics: AnalyticsService,
) -> None:
    result = analytics.analyze()
    assert [n.size for n in result.networks] == [8, 8]
    for net in result.networks:
        top = net.key_actors[0]
        assert top.uid.endswith("O") and top.name.endswith("Boss")
        assert any("victims" in r for r in top.reasons)
        assert all("Victim" not in k.name for k in net.key_actors)
        assert net.victims == 4 and net.roles["victim"] == 4
        assert net.phenomena == {"sexual_exploitation": 1}
        assert net.regions == {"Amsterdam": 2}
        assert net.first_activity == "2024-01-05" and net.last_activity == "2024-03-01"
    ranked = [a.uid for a in result.actors]
    assert ranked[:2] == ["Person:nla:BO", "Person:police:AO"] or ranked[:2] == [
        "Person:police:AO",
        "Person:nla:BO",
    ]
    assert not any("V" in uid.rsplit(":", 1)[1] for uid in ranked)
    assert [a.rank for a in result.actors] == list(range(1, len(ranked) + 1))


def test_analyze_json_shape_and_provenance(analytics: AnalyticsService) -> None:
    document = analytics.analyze(top=3).to_json(3)
    assert set(document) >= {"networks", "actors"}
    net = document["networks"][0]
    assert set(net) >= {"id", "size", "members", "key_actors"}
    assert set(net["key_actors"][0]) == {"uid", "name", "score", "reasons"}
    actor = document["actors"][0]
    assert set(actor) >= {
        "uid",
        "name",
        "source_ids",
        "network",
        "rank",
        "organiser_score",
        "degree",
        "pagerank",
        "betweenness",
        "reasons",
    }
    assert len(document["actors"]) == 3 and actor["rank"] == 1
    victims = [n["victims"] for n in document["networks"]]
    assert victims == sorted(victims, reverse=True)  # most victims first
    source, record = actor["uid"].split(":")[1:]
    assert f"{source}:{record}" in actor["source_ids"]
    json.dumps(document)  # serialisable as is


def test_results_are_written_back_with_a_run_id(
    analytics: AnalyticsService, ring_store: SQLiteStore
) -> None:
    result = analytics.analyze()
    found = ring_store.latest_result("analysis")
    assert found is not None and found[0] == result.run_id
    boss = ring_store.node_result("Person:police:AO", result.run_id)
    assert boss is not None and boss["rank"] in (1, 2) and boss["network"] is not None
    victim = ring_store.node_result("Person:police:AV0", result.run_id)
    assert victim is not None and victim["victim"] is True and victim["rank"] is None


def test_same_data_and_seed_give_the_same_result(tmp_path: Path) -> None:
    documents = []
    for name in ("one", "two"):
        a_nodes, a_edges = trafficking_ring("A")
        b_nodes, b_edges = trafficking_ring("B", source="nla")
        store = write(tmp_path / f"{name}.db", a_nodes + b_nodes, a_edges + b_edges)
        service = AnalyticsService(store, Settings(data_dir=tmp_path, seed=3))
        documents.append(service.analyze().model_dump(exclude={"run_id", "created"}))
        store.close()
    assert documents[0] == documents[1]


def test_network_ids_are_stable_and_growth_and_merges_are_recorded(
    analytics: AnalyticsService, ring_store: SQLiteStore
) -> None:
    first = analytics.analyze()
    ids = {n.id: set(n.members) for n in first.networks}
    newcomer = person("police", "AX", "A Newcomer")
    from graph_model.store.base import WriteBatch

    ring_store.write_batch(
        WriteBatch(
            nodes=[newcomer],
            edges=[
                edge(newcomer.uid, "CALLED", "Person:police:AL", "2024-04-01"),
                edge(newcomer.uid, "MET", "Person:police:AR", "2024-04-02"),
            ],
        ),
        INGESTED,
    )
    second = AnalyticsService(ring_store, analytics.settings).analyze()
    by_id = {n.id: n for n in second.networks}
    assert set(by_id) == set(ids)
    grown = next(n for n in second.networks if newcomer.uid in n.members)
    assert grown.growth == 1 and grown.status == "continued"
    assert set(grown.members) - ids[grown.id] == {newcomer.uid}
    # now tie the rings strongly together: Leiden at a low resolution merges them
    ring_store.write_batch(
        WriteBatch(
            edges=[
                edge("Person:police:AL", "CALLED", "Person:nla:BL", f"2024-05-0{d}")
                for d in range(1, 10)
            ]
        ),
        INGESTED,
    )
    third = AnalyticsService(ring_store, analytics.settings).analyze(resolution=0.05)
    assert len(third.networks) == 1
    assert third.networks[0].status == "merged"
    assert [c.kind for c in third.changes] == ["merge"]
    assert sorted(third.changes[0].before) == sorted(ids)
    assert third.networks[0].id in ids


def test_disrupt_a_network_and_refuse_victims(analytics: AnalyticsService) -> None:
    analysis = analytics.analyze()
    net = analysis.networks[0]
    result = analytics.disrupt("betweenness", network=net.id, steps=3)
    assert result.initial_lcc == 8 and result.curve[0].removed == 0
    assert [p.removed for p in result.curve] == [0, 1, 2, 3]
    removed = [u for p in result.curve for u in p.removed_uids]
    assert not any(u.rsplit(":", 1)[1].startswith(("AV", "BV")) for u in removed)
    assert result.curve[-1].lcc_fraction < 1.0
    organiser = analytics.disrupt("organiser", network=net.id, steps=1)
    assert organiser.curve[1].removed_uids == [net.key_actors[0].uid]
    assert organiser.curve[0].victims_connected == 4
    victim = next(u for u in net.members if "V" in u.rsplit(":", 1)[1])
    with pytest.raises(AnalyticsError, match="known as a victim"):
        analytics.disrupt("set", people=[victim])
    with pytest.raises(AnalyticsError, match="no network 'net-9999'"):
        analytics.disrupt("degree", network="net-9999")


def test_disrupt_whole_graph_with_relation_types_and_window(analytics: AnalyticsService) -> None:
    calls = analytics.disrupt(
        "degree", relation_types=["CALLED"], since="2024-01-01", until="2024-01-31", steps=2
    )
    full = analytics.disrupt("degree", steps=2)
    assert calls.initial_lcc < full.initial_lcc
    with pytest.raises(AnalyticsError, match="not an ISO date"):
        analytics.disrupt("degree", since="01-02-2024")


def test_leads_suggest_ties_between_people_with_common_contacts(
    analytics: AnalyticsService,
) -> None:
    analytics.analyze()
    result = analytics.leads(top=5)
    assert result.leads
    for lead in result.leads:
        assert "V" not in lead.a.rsplit(":", 1)[1] and "V" not in lead.b.rsplit(":", 1)[1]
        assert lead.common_neighbours >= 1 and lead.resource_allocation > 0
        assert lead.reasons[0].startswith(f"{lead.common_neighbours} common contact")
    scores = [(lead.resource_allocation, lead.adamic_adar) for lead in result.leads]
    assert scores == sorted(scores, reverse=True)


def test_report_writes_a_page_per_network(analytics: AnalyticsService, tmp_path: Path) -> None:
    analysis = analytics.analyze()
    paths = analytics.report(tmp_path / "report", steps=3)
    assert paths[0].name == "index.md"
    page = (tmp_path / "report" / f"{analysis.networks[0].id}.md").read_text(encoding="utf-8")
    assert analysis.networks[0].key_actors[0].name in page
    assert "## Disruption what-if" in page and "betweenness | sequential" in page
    svg = (tmp_path / "report" / f"{analysis.networks[0].id}.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Victim" not in svg
    saved = analytics.store.latest_result("report")
    assert saved is not None and saved[1]["analysis"] == analysis.run_id
    assert saved[1]["files"] == [str(p) for p in paths]


def test_evaluate_against_a_truth_file(analytics: AnalyticsService, tmp_path: Path) -> None:
    analytics.analyze()
    members = {
        f"{ring}{r}": ("organiser" if r == "O" else "victim" if r.startswith("V") else "recruiter")
        for ring in "AB"
        for r in ["O", "L", "R", "M", "V0", "V1", "V2", "V3"]
    }
    truth = {
        "seed": 1,
        "scale": 16,
        "networks": [
            {
                "id": f"N{ring}",
                "phenomenon": "sexual_exploitation",
                "region": "Amsterdam",
                "size": 8,
                "organiser": f"{ring}O",
                "members": {k: v for k, v in members.items() if k.startswith(ring)},
            }
            for ring in "AB"
        ],
        "people": {
            k: {
                "name": k,
                "role": v,
                "network": f"N{k[0]}",
                "records": [f"Person:{'police' if k[0] == 'A' else 'nla'}:{k}"],
            }
            for k, v in members.items()
        },
    }
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(truth), encoding="utf-8")
    result = analytics.evaluate(path)
    assert result.ari == 1.0 and result.victims_in_top3 == 0
    assert (result.organiser_hits, result.organiser_eligible) == (0, 0)  # rings < 10 members
    assert all(s.organiser_rank == 1 for s in result.networks)
    with pytest.raises(AnalyticsError, match="does not exist"):
        analytics.evaluate(tmp_path / "missing.json")


def test_trends_count_cases_and_victims_per_region_and_month(
    analytics: AnalyticsService,
) -> None:
    trends = analytics.trends()
    assert trends.total("victim") == 8
    assert trends.total("case") == 2
    assert {r.region for r in trends.rows} == {"Amsterdam"}


def test_a_resolved_person_holds_one_key_actor_place(tmp_path: Path) -> None:
    nodes, edges = trafficking_ring("A")
    # The boss recorded a second time by the inspectorate, merged by entity resolution.
    twin = person("nla", "AO2", "A Boss")
    boss = "Person:police:AO"
    edges += [
        edge(twin.uid, "CALLED", "Person:police:AL", "2024-01-06", source="nla"),
        edge(boss, "SAME_AS", twin.uid, record="merge-1", source="resolution"),
    ]
    store = write(tmp_path / "twin.db", [*nodes, twin], edges)
    result = AnalyticsService(store, Settings(data_dir=tmp_path / "data")).analyze()
    listed = [k.uid for net in result.networks for k in net.key_actors]
    assert len({boss, twin.uid} & set(listed)) == 1, listed
    members = {uid for net in result.networks for uid in net.members}
    assert {boss, twin.uid} <= members  # both records stay in their networks


def test_ties_explained_in_one_pass_read_as_one_by_one(analytics: AnalyticsService) -> None:
    from analytics.projection import describe_contribution

    actor = analytics.actor_graph()
    uids = actor.slice.entities["uid"].to_numpy()
    explained = actor.explain_ties(np.arange(actor.m), limit=2)
    assert actor.m > 10
    for tie, (best, reasons) in enumerate(explained):
        rows = actor.tie_contributions(tie).sort_values("weight", ascending=False, kind="stable")
        expected = [describe_contribution(r, uids, actor.slice) for r in rows.head(2).itertuples()]
        assert reasons == expected
        assert (best.rel, best.weight) == (rows.iloc[0]["rel"], rows.iloc[0]["weight"])


def test_the_latest_analysis_is_parsed_once_per_run_and_again_after_an_erasure(
    ring_store: SQLiteStore, tmp_path: Path
) -> None:
    """A dashboard makes a service per page run: they share one parsed analysis until a new run
    or an erasure (which scrubs the stored document under the same run id)."""
    settings = Settings(data_dir=tmp_path / "data", seed=7, role="admin")
    first = AnalyticsService(ring_store, settings)
    assert first.latest_analysis() is None
    result = first.analyze()
    assert ring_store.latest_result_id("analysis") == result.run_id
    again = AnalyticsService(ring_store, settings).latest_analysis()
    assert again is AnalyticsService(ring_store, settings).latest_analysis()  # parsed once
    assert again is not None and again.run_id == result.run_id
    erased = again.actors[0].uid  # the top-ranked person (never a victim)
    retention.erase(Service(ring_store, settings, Identity("t", "admin")), erased)
    after = AnalyticsService(ring_store, settings).latest_analysis()
    assert after is not None and after is not again
    assert erased not in {a.uid for a in after.actors}
    assert erased not in {uid for net in after.networks for uid in net.members}
