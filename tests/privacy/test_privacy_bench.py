"""The PSI benchmark script runs end to end and checks its own answer (small size here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "psi.py"


def test_bench_small_run_is_correct() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--size", "400", "--overlap", "0.25", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["size"] == 400
    assert report["overlap"] == 100
    assert report["correct"] is True
    assert report["seconds"] > 0
