"""Parity: GDS and in-process analytics agree on one synthetic dataset in the Neo4j store.

The synth dataset (seed 11, scale 600) is ingested through its manifest into a real Neo4j, and
`AnalyticsService.analyze` runs once with the in-process backend ("igraph") and once with
`GdsBackend` on the same actor graph. They must give the same partition of the planted
networks up to relabelling (adjusted Rand index ≥ 0.95 over the store records of every planted
member, from the generator's truth.json), PageRank within 1e-3, and the same top-10 key actors
by organiser score. Each run's saved result names the backend that produced it.

Why the planted members and not everyone: the two Leiden implementations (igraph's and GDS's)
are different modularity optimisers, and outside the planted networks the synthetic background
has no community structure to find, so they split it differently at equal modularity
(measured: ARI 1.0 on the planted members, about 0.4 over all 698 people, modularity 0.823
igraph against 0.811 GDS). The all-people figure is printed, not asserted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import netzicht.analytics_service as service_module
from analytics.analysis import AnalysisResult, Measures, analyse
from analytics.backend import GraphBackend, IgraphBackend, get_backend
from analytics.evaluate import adjusted_rand_index
from analytics.gds_backend import GdsBackend
from analytics.projection import ActorGraph
from graph_model.store.neo4j import Neo4jStore
from ingest.pipeline import ingest_paths
from ingest.synth import SynthConfig, generate
from netzicht.analytics_service import AnalyticsService
from netzicht.settings import Settings
from tests.neo4j.helpers import wipe

pytestmark = pytest.mark.neo4j

TOP = 10


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gds-parity")
    generate(SynthConfig(seed=11, scale=600), out)
    return out


@pytest.fixture(scope="module")
def synth_store(neo4j_uri: str, synth_dir: Path) -> Iterator[Neo4jStore]:
    out = synth_dir
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    store = Neo4jStore(neo4j_uri)
    wipe(store)
    for export in manifest["exports"]:
        files = [out / f for f in export["files"]]
        ingest_paths(store, files, export["source"], export["mapping"], out / "q")
    yield store
    store.close()


@dataclass
class Runs:
    in_process: AnalysisResult
    in_gds: AnalysisResult
    gds: GdsBackend
    actor: ActorGraph


@pytest.fixture(scope="module")
def runs(synth_store: Neo4jStore, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    gds = GdsBackend.from_store(synth_store)
    chosen = {"gds": gds}

    def backend_by_name(
        name: str = "auto", store: object | None = None, interactive: bool = False
    ) -> GraphBackend:
        # "gds" goes to this test's own backend, so the test can read its step timings.
        return chosen[name] if name in chosen else get_backend(name, store, interactive)

    settings = Settings(data_dir=tmp_path_factory.mktemp("gds-parity-data"), seed=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service_module, "get_backend", backend_by_name)
        service = AnalyticsService(synth_store, settings)
        in_process = service.analyze(backend="igraph", top=10_000)
        # A fresh service: the GDS run must not inherit the first run's network ids.
        in_gds = AnalyticsService(synth_store, settings).analyze(backend="gds", top=10_000)
    return Runs(in_process, in_gds, gds, service.actor_graph())


def _labels(result: AnalysisResult, uids: list[str]) -> list[str]:
    network = {uid: net.id for net in result.networks for uid in net.members}
    return [network.get(u, f"none:{u}") for u in uids]  # no network: a singleton of its own


def test_auto_runs_the_analysis_in_gds_and_the_what_if_in_process(synth_store: Neo4jStore) -> None:
    assert get_backend("auto", synth_store).name == "gds"
    assert get_backend("auto", synth_store, interactive=True).name == "igraph"
    assert get_backend("igraph", synth_store).name == "igraph"


def test_results_carry_the_backend_that_produced_them(runs: Runs, synth_store: Neo4jStore) -> None:
    assert (runs.in_process.backend, runs.in_gds.backend) == ("igraph", "gds")
    saved = synth_store.result(runs.in_gds.run_id)
    assert saved is not None and saved["backend"] == "gds"
    # The work ran in GDS (projection, communities, PageRank, betweenness), and nothing is
    # left in the graph catalog afterwards.
    assert {"load", "wcc", "leiden", "pagerank", "betweenness"} <= set(runs.gds.timings)
    assert runs.gds.gds.graph.list() == []


def test_same_partition_of_the_planted_networks(runs: Runs, synth_dir: Path) -> None:
    truth = json.loads((synth_dir / "truth.json").read_text(encoding="utf-8"))
    known = set(runs.actor.people.tolist())
    planted = [
        (net["id"], record)
        for net in truth["networks"]
        for member in net["members"]
        for record in truth["people"].get(member, {}).get("records", [])
        if record in known
    ]
    records = [r for _, r in planted]
    assert len({n for n, _ in planted}) >= 5 and len(records) >= 200
    ari = adjusted_rand_index(_labels(runs.in_process, records), _labels(runs.in_gds, records))
    everyone = sorted(known)
    ari_all = adjusted_rand_index(
        _labels(runs.in_process, everyone), _labels(runs.in_gds, everyone)
    )
    vs_truth = [
        adjusted_rand_index([n for n, _ in planted], _labels(r, records))
        for r in (runs.in_process, runs.in_gds)
    ]
    print(
        f"\nARI GDS vs igraph on {len(records)} planted records: {ari:.4f} "
        f"(all {len(everyone)} people: {ari_all:.4f}; against the truth: igraph "
        f"{vs_truth[0]:.4f}, GDS {vs_truth[1]:.4f})"
    )
    assert ari >= 0.95


def test_pagerank_within_1e_3(runs: Runs) -> None:
    a = {x.uid: x.pagerank for x in runs.in_process.actors}
    b = {x.uid: x.pagerank for x in runs.in_gds.actors}
    assert set(a) == set(b) and len(a) > 300
    diff = max(abs(a[u] - b[u]) for u in a)
    print(f"\nmax |PageRank GDS - igraph| over {len(a)} actors: {diff:.3g}")
    assert diff <= 1e-3


class GdsCentralities:
    """GDS for PageRank and betweenness, igraph for the communities: the key-actor measures
    of both backends on the *same* networks."""

    name = "gds"

    def __init__(self, gds: GdsBackend) -> None:
        self.gds = gds
        self.igraph = IgraphBackend()
        self.wcc = self.igraph.wcc
        self.leiden = self.igraph.leiden
        self.pagerank = gds.pagerank
        self.betweenness = gds.betweenness


@pytest.fixture(scope="module")
def same_networks(
    runs: Runs,
) -> tuple[tuple[AnalysisResult, Measures], tuple[AnalysisResult, Measures]]:
    return analyse(runs.actor, IgraphBackend(), seed=7), analyse(
        runs.actor, GdsCentralities(runs.gds), seed=7
    )


def test_key_actor_measures_agree_on_the_same_networks(
    same_networks: tuple[tuple[AnalysisResult, Measures], tuple[AnalysisResult, Measures]],
) -> None:
    (reference, ref), (_, gds) = same_networks
    assert reference.betweenness_exact
    print(
        f"\nsame networks: max |PageRank diff| {np.abs(gds.pagerank - ref.pagerank).max():.2g}, "
        f"max |betweenness diff| {np.abs(gds.betweenness - ref.betweenness).max():.2g}"
    )
    assert np.abs(gds.pagerank - ref.pagerank).max() <= 1e-9
    assert np.abs(gds.betweenness - ref.betweenness).max() <= 1e-6


def test_same_top_10_key_actors_on_the_same_networks(
    same_networks: tuple[tuple[AnalysisResult, Measures], tuple[AnalysisResult, Measures]],
) -> None:
    (reference, ref), (mixed, gds) = same_networks
    assert np.abs(gds.score - ref.score).max() <= 1e-9
    assert [a.uid for a in mixed.actors[:TOP]] == [a.uid for a in reference.actors[:TOP]]


def test_top_10_key_actors_end_to_end(runs: Runs) -> None:
    """With each backend's own Leiden the networks differ in the unplanted background, and the
    organiser score ranks people against their network. Measured: 8-9 of 10 shared, the
    first three in the same order. igraph
    alone, seeds 1-10 against its own seed 7, shares 7-10 of 10: the end-to-end difference is
    within the in-process backend's own seed-to-seed spread, so 7 is the bound asserted."""
    top_a = [a.uid for a in runs.in_process.actors[:TOP]]
    top_b = [a.uid for a in runs.in_gds.actors[:TOP]]
    shared = len(set(top_a) & set(top_b))
    print(f"\ntop-10 key actors shared, each backend's own networks: {shared}/{TOP}")
    # The leading organisers agree in order; lower ranks may swap with the background networks.
    assert top_a[:3] == top_b[:3]
    assert shared >= 7


def test_the_per_person_write_back_names_the_gds_run(runs: Runs, synth_store: Neo4jStore) -> None:
    top = runs.in_gds.actors[0]
    row = synth_store.node_result(top.uid, runs.in_gds.run_id)
    assert row is not None
    assert (row["network"], row["organiser_score"], row["pagerank"]) == (
        top.network,
        top.organiser_score,
        top.pagerank,
    )
    if top.network is not None:
        assert top.uid in synth_store.network_members(runs.in_gds.run_id, top.network)
