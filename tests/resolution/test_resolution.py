"""Entity resolution on a synthetic world with ground truth, review and undo, and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from analytics.resolution import (
    ResolutionError,
    decide,
    load_clusters,
    review_queue,
    run_resolution,
    unresolve,
)
from analytics.resolution.evaluate import comparable_records, pairwise_scores, truth_groups
from analytics.resolution.matching import ResolverConfig, resolve
from analytics.resolution.records import PersonRecord, load_person_records
from graph_model.store.sqlite import SQLiteStore
from netzicht import cli_ads
from netzicht.ads_service import ResolutionService
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import ingest_manifest


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory, synth_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("resolution")
    settings = Settings(store=f"sqlite:///{folder / 'world.db'}", data_dir=folder / "data")
    with Service.open(settings=settings) as svc:
        ingest_manifest(svc, synth_dir)
    return folder / "world.db"


@pytest.fixture
def store(tmp_path: Path, world_db: Path) -> SQLiteStore:
    shutil.copy(world_db, tmp_path / "copy.db")
    db = SQLiteStore(tmp_path / "copy.db")
    yield db
    db.close()


@pytest.fixture(scope="module")
def truth(synth_dir: Path) -> dict[str, Any]:
    return json.loads((synth_dir / "truth.json").read_text(encoding="utf-8"))


def test_resolution_meets_precision_and_recall_on_ground_truth(
    store: SQLiteStore, truth: dict[str, Any]
) -> None:
    comparable = comparable_records(store)  # pseudonymised care intakes are out of scope
    assert len(comparable) < len(load_person_records(store))
    without = pairwise_scores({}, truth_groups(truth), comparable)
    _, document = run_resolution(store)
    scores = pairwise_scores(document["clusters"], truth_groups(truth), comparable)
    assert without["recall"] == 0.0 and scores["true_pairs"] > 100
    assert scores["precision"] >= 0.95, scores
    # Issue #6. What stays out of reach shares nothing but a name: mostly landlords whose
    # police record comes from surveillance only (seen meeting the boss, who deals with the
    # tenants only through others), and people with a namesake in their own network.
    assert scores["recall"] >= 0.9, scores


def test_every_merge_keeps_its_evidence(store: SQLiteStore) -> None:
    _, document = run_resolution(store)
    assert document["merges"]
    for merge in document["merges"]:
        weights = sum(v["weight"] for v in merge["evidence"].values())
        assert merge["score"] == pytest.approx(weights, abs=0.01)
        assert merge["status"] in {"auto", "suggested"}
    clusters = load_clusters(store)
    assert clusters == document["clusters"]
    # The resolved id is the smallest record uid of the cluster: a real Person node.
    for uid, person in clusters.items():
        assert person <= uid and store.get_node(person) is not None
    in_effect = [m for m in document["merges"] if m["status"] == "auto"]
    assert store.stats().edges["SAME_AS"] == len(in_effect)


def test_review_decisions_are_kept_and_survive_a_rerun(store: SQLiteStore) -> None:
    run_resolution(store)
    queue = review_queue(store)
    assert len(queue) >= 2
    first, second = queue[0], queue[1]
    decide(store, first["id"], True, "same passport photo in both files", by="analyst-1")
    decide(store, second["id"], False, "father and son", by="analyst-1")
    clusters = load_clusters(store)
    assert clusters[first["a"]] == clusters[first["b"]]
    assert clusters.get(second["a"], second["a"]) != clusters.get(second["b"], second["b"])
    _, again = run_resolution(store)
    status = {m["id"]: (m["status"], m["reason"]) for m in again["merges"]}
    assert status[first["id"]] == ("accepted", "same passport photo in both files")
    assert status[second["id"]] == ("rejected", "father and son")
    assert again["decisions"][first["id"]]["by"] == "analyst-1"
    assert first["id"] not in {m["id"] for m in review_queue(store)}
    with pytest.raises(ResolutionError, match="m-nope"):
        decide(store, "m-nope", True, "x")


def test_unresolve_a_record_or_a_merge(store: SQLiteStore) -> None:
    _, document = run_resolution(store)
    clusters = document["clusters"]
    sizes: dict[str, int] = {}
    for person in clusters.values():
        sizes[person] = sizes.get(person, 0) + 1
    big = max(sizes, key=lambda p: sizes[p])
    member = sorted(u for u, p in clusters.items() if p == big)[-1]
    undone = unresolve(store, member, "different birth place on the passport")
    assert undone and all(member in (m["a"], m["b"]) for m in undone)
    after = load_clusters(store)
    assert member not in after
    # A re-run does not merge it back.
    run_resolution(store)
    assert member not in load_clusters(store)
    merge = next(
        m for m in document["merges"] if m["status"] == "auto" and member not in (m["a"], m["b"])
    )
    unresolve(store, merge["id"], "wrong")
    with pytest.raises(ResolutionError):
        unresolve(store, "Person:none:X", "nothing to undo")


def test_service_shows_every_source_record_of_a_person(tmp_path: Path, store: SQLiteStore) -> None:
    svc = ResolutionService(store, Settings(data_dir=tmp_path / "data"))
    stats = svc.resolve()
    assert stats["clusters"] > 0
    clusters = load_clusters(store)
    person = next(iter(sorted(set(clusters.values()))))
    shown = svc.person(person)
    members = sorted(u for u, p in clusters.items() if p == person)
    assert [r["uid"] for r in shown["records"]] == members
    assert all(r["sources"] for r in shown["records"]), "provenance stays visible"


def test_blocking_skips_and_reports_giant_blocks() -> None:
    # 300 records of "Jan de Vries" with no birth date: nothing can tell them apart.
    records = [PersonRecord(f"Person:s:{k}", "s", "Jan de Vries") for k in range(300)]
    records += [
        PersonRecord("Person:a:1", "a", "Ioana Dumitru", "1999-02-03", phones=("+40721234567",)),
        PersonRecord("Person:b:1", "b", "DUMITRU Ioana", "1999-02-03"),
    ]
    result = resolve(records, ResolverConfig(max_block=50, workers=1))
    assert result.stats["blocks_skipped"] >= 1
    assert result.stats["largest_skipped"][0]["size"] == 300
    assert result.clusters == {"Person:a:1": "Person:a:1", "Person:b:1": "Person:a:1"}


def test_a_shared_phone_does_not_merge_different_names() -> None:
    phone = ("+31612345678",)
    records = [
        PersonRecord("Person:police:1", "police", "Elena Popescu", phones=phone),
        PersonRecord("Person:care:1", "care", "Joy Okafor", phones=phone),
    ]
    assert resolve(records, ResolverConfig(workers=1)).clusters == {}


def test_cli_resolve_review_accept_and_unresolve(tmp_path: Path, world_db: Path) -> None:
    shutil.copy(world_db, tmp_path / "cli.db")
    app = typer.Typer()
    cli_ads.register(app)
    runner = CliRunner()
    env = {"NETZICHT_STORE": f"sqlite:///{tmp_path / 'cli.db'}", "NETZICHT_DATA_DIR": str(tmp_path)}
    done = runner.invoke(app, ["resolve", "--json"], env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["clusters"] > 0
    queue = json.loads(runner.invoke(app, ["resolve", "--review", "--json"], env=env).output)
    assert queue and {"a_name", "b_name", "evidence", "score"} <= set(queue[0])
    merge = queue[0]["id"]
    refused = runner.invoke(app, ["resolve", "--accept", merge], env=env)
    assert refused.exit_code != 0
    accepted = runner.invoke(app, ["resolve", "--accept", merge, "--reason", "same IBAN"], env=env)
    assert accepted.exit_code == 0 and "accepted" in accepted.output
    undone = runner.invoke(app, ["unresolve", merge, "--reason", "typo in IBAN"], env=env)
    assert undone.exit_code == 0 and "undone" in undone.output
    missing = runner.invoke(app, ["unresolve", "m-000000000000", "--reason", "x"], env=env)
    assert missing.exit_code == 2 and "neither a merge id" in missing.output
