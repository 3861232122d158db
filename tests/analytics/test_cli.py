"""The analytics commands through the real CLI machinery (typer), on a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from graph_model.store.sqlite import SQLiteStore
from netzicht import cli_analytics

runner = CliRunner()


def app() -> typer.Typer:
    application = typer.Typer()
    cli_analytics.register(application)
    return application


def uri(store: SQLiteStore) -> str:
    return f"sqlite:///{store.path}"


def test_analyze_json_is_ordered_by_organiser_score(ring_store: SQLiteStore) -> None:
    ring_store.close()
    result = runner.invoke(app(), ["analyze", "--store", uri(ring_store), "--json", "--top", "4"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    scores = [a["organiser_score"] for a in document["actors"]]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    assert [a["rank"] for a in document["actors"]] == [1, 2, 3, 4]
    assert document["actors"][0]["name"].endswith("Boss")
    assert len(document["networks"]) == 2


def test_analyze_prints_tables_without_json(ring_store: SQLiteStore) -> None:
    result = runner.invoke(app(), ["analyze", "--store", uri(ring_store), "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "networks" in result.stdout and "Boss" in result.stdout


def test_a_bad_date_is_one_clear_line_and_exit_2(ring_store: SQLiteStore) -> None:
    result = runner.invoke(app(), ["analyze", "--store", uri(ring_store), "--since", "2024-02-30"])
    assert result.exit_code == 2
    assert "is not an ISO date" in result.output


def test_disrupt_json_curve_starts_at_zero(ring_store: SQLiteStore) -> None:
    runner.invoke(app(), ["analyze", "--store", uri(ring_store), "--json"])
    result = runner.invoke(
        app(),
        [
            "disrupt",
            "--store",
            uri(ring_store),
            "--strategy",
            "degree",
            "--mode",
            "block",
            "--block-size",
            "2",
            "--steps",
            "4",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"strategy", "mode", "initial_lcc", "curve"} <= set(document)
    assert [p["removed"] for p in document["curve"]] == [0, 2, 4]
    assert set(document["curve"][0]) >= {
        "removed",
        "lcc",
        "lcc_fraction",
        "components",
        "removed_uids",
    }
    refused = runner.invoke(
        app(),
        [
            "disrupt",
            "--store",
            uri(ring_store),
            "--strategy",
            "set",
            "--people",
            "Person:police:AV0",
        ],
    )
    assert refused.exit_code == 2 and "victim" in refused.output


def test_leads_report_and_evaluate_commands(ring_store: SQLiteStore, tmp_path: Path) -> None:
    store = uri(ring_store)
    assert runner.invoke(app(), ["analyze", "--store", store]).exit_code == 0
    leads = runner.invoke(app(), ["leads", "--store", store, "--json", "--top", "2"])
    assert leads.exit_code == 0 and len(json.loads(leads.stdout)["leads"]) == 2
    report = runner.invoke(app(), ["report", "--store", store, "--out", str(tmp_path / "r")])
    assert report.exit_code == 0 and (tmp_path / "r" / "index.md").exists()
    missing = runner.invoke(
        app(), ["evaluate", "--store", store, "--truth", str(tmp_path / "none.json")]
    )
    assert missing.exit_code == 2 and "does not exist" in missing.output
