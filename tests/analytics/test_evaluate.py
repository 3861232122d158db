"""Evaluation against ground truth: the adjusted Rand index by hand and on synthetic data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics.evaluate import adjusted_rand_index
from netzicht.service import Service
from netzicht.settings import Settings
from tests.conftest import ingest_manifest


def test_adjusted_rand_index_known_values() -> None:
    assert adjusted_rand_index(list("aabb"), list("xxyy")) == 1.0
    # Hubert & Arabie: contingency [[2,1],[0,2]] for these labelings, ARI = 4/7 − ... computed:
    # Σ C(n_ij,2) = 1 + 1 = 2; Σ C(a,2) = 3 + 1 = 4; Σ C(b,2) = 1 + 3 = 4; C(5,2) = 10
    # E = 4·4/10 = 1.6; ARI = (2 − 1.6) / (4 − 1.6) = 1/6
    assert adjusted_rand_index(list("aaabb"), list("xxyyy")) == pytest.approx(1 / 6)
    # the scikit-learn documentation example
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(0.24242424)


def test_synthetic_networks_are_recovered(synth_dir: Path, tmp_path: Path) -> None:
    settings = Settings(store=f"sqlite:///{tmp_path / 'synth.db'}", data_dir=tmp_path, seed=7)
    with Service.open(settings=settings) as svc:
        ingest_manifest(svc, synth_dir)
        analysis = svc.analytics.analyze()
        result = svc.analytics.evaluate(synth_dir / "truth.json")
    truth = json.loads((synth_dir / "truth.json").read_text(encoding="utf-8"))
    assert result.planted_networks == len(truth["networks"])
    assert result.ari >= 0.85
    assert result.victims_in_top3 == 0
    assert result.organiser_hits >= 0.75 * result.organiser_eligible
    assert all(a.uid not in result.victims_in_top3_uids for a in analysis.actors[:10])
