"""The extra named for a missing module is the one pyproject.toml installs it with."""

from __future__ import annotations

import importlib.metadata
import os
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import require
from wirewatch.cli.extras import EXTRA_OF_MODULE, extra_for, install_command

REPO = Path(__file__).resolve().parents[3]
OPTIONAL = ("nlp", "fulltext", "kafka", "search")


def modules_of_each_extra() -> dict[str, str]:
    """Top-level import name → extra, from pyproject and the installed distributions."""
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    dist_extra = {
        _norm(Requirement(req).name): extra for extra in OPTIONAL for req in extras[extra]
    }
    installed = [
        (module, _norm(dist))
        for module, dists in importlib.metadata.packages_distributions().items()
        for dist in dists
    ]
    missing = set(dist_extra) - {dist for _, dist in installed}
    require(not missing, f"needs every optional extra installed (setup --dev): {missing}")
    return {
        module: dist_extra[dist]
        for module, dist in installed
        if dist in dist_extra and not module.startswith("_")
    }


def _norm(dist: str) -> str:
    return dist.lower().replace("_", "-")


def test_the_table_matches_pyproject_optional_dependencies() -> None:
    assert modules_of_each_extra() == EXTRA_OF_MODULE


def test_a_dotted_module_counts_by_its_top_level_and_others_are_unknown() -> None:
    assert extra_for("kafka.admin") == "kafka"
    assert extra_for("opensearchpy") == "search"
    assert extra_for("yaml") is None


def test_the_install_command_uses_this_environment_and_this_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pip = Path(sys.executable).parent / "pip"
    monkeypatch.chdir(REPO)
    shown = pip.relative_to(REPO) if pip.is_relative_to(REPO) else pip
    assert install_command("kafka") == f"{shown} install -e '.[kafka]'"
    monkeypatch.chdir(REPO.parent)
    assert install_command("search").endswith(
        f" install -e '{os.path.relpath(REPO, REPO.parent)}[search]'"
    )
