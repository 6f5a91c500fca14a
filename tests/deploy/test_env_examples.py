"""deploy/wirewatch.env.example: every WIREWATCH_* variable is a real setting, and the
values it sets load (a stale or misspelt name would be refused at start in a container)."""

from __future__ import annotations

from pathlib import Path

from tests.deploy.conftest import DEPLOY, example_variables
from wirewatch.core.settings import all_keys, env_name, load_settings

WIREWATCH_ENV_EXAMPLE = DEPLOY / "wirewatch.env.example"


def test_every_variable_is_a_setting() -> None:
    names = example_variables(WIREWATCH_ENV_EXAMPLE)
    settings = {env_name(k) for k in all_keys()}
    assert names, "no variable found"
    assert set(names) - settings == set()


def test_the_example_values_load_uncommented(tmp_path: Path) -> None:
    env = example_variables(WIREWATCH_ENV_EXAMPLE)
    empty = tmp_path / "wirewatch.yaml"  # so no config file of the machine's user is read
    empty.write_text("")
    loaded = load_settings(empty, env=env, cwd=tmp_path).settings
    assert loaded.notify.smtp_host == "smtp.example.org"
    assert loaded.fetch.allow_private == ["10.0.0.0/8"]
    assert loaded.kafka.partitions_raw == 6
