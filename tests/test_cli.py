"""The command line end to end on a synthetic export, as a data steward runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from netzicht.cli import app

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `netzicht` entry point in a subprocess (the installed console script)."""
    return subprocess.run(
        [sys.executable, "-m", "netzicht", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_synth_ingest_stats_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "exports"
    env = {"NETZICHT_STORE": f"sqlite:///{tmp_path / 'cli.db'}", "NETZICHT_DATA_DIR": str(tmp_path)}
    synth = run("synth", "--out", str(out), "--scale", "400", "--seed", "3", "--json")
    assert synth.returncode == 0, synth.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    totals = {"rows_read": 0, "rows_quarantined": 0}
    for export in manifest["exports"]:
        files = [str(out / f) for f in export["files"]]
        result = run("ingest", *files, "--source", export["source"], "--json", env=env)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert set(summary) >= {"rows_read", "rows_ingested", "rows_quarantined", "files"}
        assert summary["rows_read"] == summary["rows_ingested"] + summary["rows_quarantined"]
        for f in summary["files"]:
            assert set(f) >= {
                "path",
                "rows_read",
                "rows_ingested",
                "rows_quarantined",
                "quarantine_file",
            }
            assert f["rows_read"] == f["rows_ingested"] + f["rows_quarantined"]
            if f["rows_quarantined"]:
                assert Path(f["quarantine_file"]).is_file()
        totals["rows_read"] += summary["rows_read"]
        totals["rows_quarantined"] += summary["rows_quarantined"]
    assert totals["rows_read"] == json.loads(synth.stdout)["rows"]
    # The generator breaks about 1% of rows on purpose; all of them, and few others, quarantine.
    assert 0 < totals["rows_quarantined"] < totals["rows_read"] * 0.05
    stats = run("stats", "--json", env=env)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert set(counts) == {"nodes", "edges"}
    assert counts["nodes"]["Person"] > 300
    assert counts["edges"]["VICTIM_IN"] > 0 and counts["edges"]["TRANSFERRED_TO"] > 0


def test_unreadable_input_gives_one_clear_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    env = {"NETZICHT_STORE": f"sqlite:///{tmp_path / 'cli.db'}", "NETZICHT_DATA_DIR": str(tmp_path)}
    result = run("ingest", str(tmp_path / "nope.csv"), "--source", "police", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'nope.csv'}: no such file"]
    bad_mapping = tmp_path / "m.yaml"
    bad_mapping.write_text("files: [{header: [a], nodes: {x: {label: Nope}}}]\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    result = run("ingest", str(data), "--source", "x", "--mapping", str(bad_mapping), env=env)
    assert result.returncode == 2
    assert "unknown node label 'Nope'" in result.stderr
    stats = run("stats", "--json", env=env)
    assert json.loads(stats.stdout) == {"nodes": {}, "edges": {}}


def test_a_bad_store_uri_is_refused_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", "mysql://x"])
    assert result.exit_code == 2
    assert "unknown scheme" in result.output


def test_demo_without_dashboard_ingests_every_export(tmp_path: Path) -> None:
    result = run(
        "demo",
        "--out",
        str(tmp_path / "demo"),
        "--scale",
        "300",
        "--no-dashboard",
        env={"NETZICHT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    for source in ("police", "nla", "municipality", "care", "fiu", "ads"):
        assert f"ingest {source}:" in result.stdout
    assert (tmp_path / "demo" / "demo.db").is_file()
