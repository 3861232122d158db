"""The runnable examples in the analytics docstrings stay true, and the README documents the CLI."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

MODULES = [
    "analytics.projection",
    "analytics.centrality",
    "analytics.networks",
    "analytics.evaluate",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0


def test_readme_documents_every_command_and_score_component() -> None:
    from analytics.organiser import COMPONENTS, WEIGHTS

    readme = (Path(__file__).parents[2] / "analytics" / "README.md").read_text(encoding="utf-8")
    for command in ("analyze", "disrupt", "leads", "report", "evaluate"):
        assert f"netzicht {command}" in readme
    for component in COMPONENTS:
        assert f"| {component} | {WEIGHTS[component]:.2f} |" in readme
