"""Ad clustering, linking, circuits and evidence-graded scores on synthetic ads with truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from analytics.ads import AdAnalysisConfig, analyse_ads, run_ad_analysis
from analytics.ads.cluster import cluster_ads, purity
from analytics.ads.model import ad_from_row, load_ads
from analytics.ads.score import load_catalogue
from graph_model.store.sqlite import SQLiteStore
from netzicht.errors import SchemaError


def controllers(truth: dict[str, Any]) -> dict[str, str | None]:
    return {uid: ad["controller"] for uid, ad in truth["ads"].items()}


def test_clusters_are_pure_and_complete_against_true_controllers(
    ads_store: SQLiteStore, ads_truth: dict[str, Any]
) -> None:
    ads = load_ads(ads_store)
    assert len(ads) == len(ads_truth["ads"])
    result = cluster_ads(ads)
    figures = purity(result.cluster_of, controllers(ads_truth))
    assert figures["purity"] >= 0.95
    assert figures["completeness"] >= 0.9
    assert figures["clusters"] <= figures["controllers"] * 1.2


def test_links_say_why_ads_belong_together(ads_store: SQLiteStore) -> None:
    result = cluster_ads(load_ads(ads_store))
    biggest = max(result.members, key=lambda c: len(result.members[c]))
    kinds = {link.kind for link in result.links[biggest]}
    assert "phone" in kinds
    assert "image" in kinds


def test_template_text_alone_does_not_merge_two_controllers() -> None:
    template = (
        "Zelfstandige escort {n}, 25. Alleen op afspraak, screening verplicht. Werk in Breda."
    )
    rows = [
        {"site": "s", "ad_id": "1", "text": template.format(n="Anna"), "phone": "0612345678"},
        {"site": "s", "ad_id": "2", "text": template.format(n="Anna"), "phone": "0687654321"},
        # No contact detail of its own: the near-duplicate text attaches it to a cluster.
        {"site": "s", "ad_id": "3", "text": template.format(n="Anna")},
    ]
    result = cluster_ads([ad_from_row(r) for r in rows])
    assert result.cluster_of["OnlineAd:s|1"] != result.cluster_of["OnlineAd:s|2"]
    assert len(result.members) == 2
    assert result.related, "the shared wording is reported as a lead between the clusters"


def test_near_identical_images_link_but_different_ones_do_not() -> None:
    rows = [
        {"site": "s", "ad_id": "1", "text": "a", "image_hashes": "f0f0f0f0f0f0f0f0"},
        {"site": "s", "ad_id": "2", "text": "b", "image_hashes": "f0f0f0f0f0f0f0f3"},  # 2 bits
        {"site": "s", "ad_id": "3", "text": "c", "image_hashes": "0f0f0f0f0f0f0f0f"},
    ]
    result = cluster_ads([ad_from_row(r) for r in rows])
    assert result.cluster_of["OnlineAd:s|1"] == result.cluster_of["OnlineAd:s|2"]
    assert result.cluster_of["OnlineAd:s|3"] != result.cluster_of["OnlineAd:s|1"]


def test_analysis_writes_clusters_into_the_case_graph(ads_store: SQLiteStore) -> None:
    run_id, document = run_ad_analysis(ads_store)
    stats = ads_store.stats()
    multi = [c for c in document["clusters"] if c["size"] >= 2]
    assert stats.nodes["AdCluster"] == len(multi) == document["clusters_written"]
    assert stats.edges["PART_OF"] == sum(c["size"] for c in multi)
    top = multi[0]
    node = ads_store.get_node(top["uid"])
    assert node is not None and node.label == "AdCluster"
    assert node.properties["score"] == top["score"]
    # The cluster's phones are reachable from the cluster node through its ads.
    sub = ads_store.neighbourhood(top["uid"], hops=2, types=["PART_OF", "LISTS"])
    phones = {n.uid for n in sub.nodes if n.label == "Phone"}
    assert {f"Phone:{p}" for p in top["phones"]} <= phones
    stored = ads_store.latest_result("ads")
    assert stored is not None and stored[0] == run_id
    ad_doc = ads_store.node_result(top["ads"][0], run_id)
    assert ad_doc is not None and ad_doc["cluster"] == top["id"]
    # Re-running is idempotent for the graph: same clusters, same uids.
    run_ad_analysis(ads_store)
    assert ads_store.stats().nodes["AdCluster"] == len(multi)


def test_every_score_has_reasons_and_hypotheses_do_not_score(ads_store: SQLiteStore) -> None:
    ads = load_ads(ads_store)
    document = analyse_ads(ads)
    for cluster in document["clusters"]:
        assert cluster["reasons"], cluster["id"]
        assert all(not h["scored"] for h in cluster["hypotheses"])
        scored = sum(i["contribution"] for i in cluster["indicators"] if i["scored"])
        assert cluster["score"] == pytest.approx(scored, abs=0.01)
    with_hypotheses = analyse_ads(ads, AdAnalysisConfig(include_hypotheses=True))
    before = {c["id"]: c["score"] for c in document["clusters"]}
    after = {c["id"]: c["score"] for c in with_hypotheses["clusters"]}
    assert any(after[c] != before[c] for c in before), "hypotheses score only when asked"
    scores = [c["score"] for c in document["clusters"]]
    assert scores == sorted(scores, reverse=True)


def test_trafficking_clusters_outrank_independent_workers(
    ads_store: SQLiteStore, ads_truth: dict[str, Any]
) -> None:
    document = analyse_ads(load_ads(ads_store))
    network_of = {uid: ad["network"] for uid, ad in ads_truth["ads"].items()}
    planted = [c["score"] for c in document["clusters"] if network_of[c["ads"][0]]]
    independent = [c["score"] for c in document["clusters"] if not network_of[c["ads"][0]]]
    assert planted and independent
    assert sum(planted) / len(planted) > sum(independent) / len(independent)


def test_contra_indicators_are_shown_but_never_raise_a_score() -> None:
    row = {
        "site": "s",
        "ad_id": "1",
        "text": "Lisa, 21 jaar. Screening verplicht.",
        "phone": "0612345678",
    }
    document = analyse_ads([ad_from_row(row)])
    cluster = document["clusters"][0]
    ids = {i["id"]: i for i in cluster["indicators"]}
    assert ids["stated_age_18_23"]["grade"] == "contra"
    assert ids["client_screening"]["contribution"] == 0.0
    assert cluster["score"] == 0.0
    assert "no validated indicator found" in cluster["reasons"]


def test_obscured_phone_is_a_validated_indicator() -> None:
    row = {
        "site": "s",
        "ad_id": "1",
        "text": "Discreet. Bel nul zes een twee drie vier vijf zes zeven acht",
    }
    ad = ad_from_row(row)
    assert ad.phones == ("+31612345678",)
    document = analyse_ads([ad])
    ids = {i["id"] for i in document["clusters"][0]["indicators"] if i["scored"]}
    assert {"obscured_phone", "professional_language"} <= ids


def test_circuits_follow_a_phone_from_city_to_city() -> None:
    cities = ["Utrecht", "Utrecht", "Breda", "Venlo", "Utrecht"]
    rows = [
        {"site": "s", "ad_id": str(k), "text": "x", "city": c, "posted": f"2024-0{k + 1}-01",
         "phone": "0612345678"}
        for k, c in enumerate(cities)
    ]  # fmt: skip
    rows.append(
        {"site": "s", "ad_id": "static", "text": "y", "city": "Breda", "phone": "0687654321"}
    )
    document = analyse_ads([ad_from_row(r) for r in rows])
    # The phone's path is its cluster's path: reported once, as the cluster.
    assert len(document["circuits"]) == 1
    circuit = document["circuits"][0]
    assert circuit["kind"] == "cluster"
    cluster = next(c for c in document["clusters"] if c["id"] == circuit["key"])
    assert cluster["phones"] == ["+31612345678"]
    assert cluster["circuit"]["moves"] == 3
    assert [s["city"] for s in circuit["path"]] == ["Utrecht", "Breda", "Venlo", "Utrecht"]
    assert circuit["moves"] == 3
    assert circuit["regions"] == ["Limburg", "Midden-Nederland", "Zeeland-West-Brabant"]


def test_the_indicator_catalogue_is_validated(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    grades = {i.grade for i in catalogue.indicators}
    assert {"validated", "contra", "hypothesis"} <= grades
    assert all(i.direction in (-1, 0, 1) for i in catalogue.indicators)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "indicators:\n  x:\n    label: X\n    grade: folklore\n    direction: 1\n    weight: 1\n"
        "    patterns: [x]\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match=r"bad.yaml: indicators.x: grade"):
        load_catalogue(bad)
