"""Settings: discovery, precedence (flags > env > file > defaults), unknown keys, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.core.errors import ConfigError
from wirewatch.core.settings import effective_view, find_config_file, load_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolate the user config dir so a developer's own config never leaks in."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    return tmp_path


def test_precedence_flag_over_env_over_file_over_default(home: Path) -> None:
    cfg = write(home / "w.yaml", "queue_size: 10\nfetch:\n  concurrency: 3\n  max_redirects: 4\n")
    env = {"WIREWATCH_FETCH__CONCURRENCY": "5", "WIREWATCH_QUEUE_SIZE": "20"}
    loaded = load_settings(cfg, env=env, overrides={"queue_size": 30}, cwd=home)
    s = loaded.settings
    assert s.queue_size == 30 and loaded.source_of("queue_size") == "flag"
    assert s.fetch.concurrency == 5 and loaded.source_of("fetch.concurrency") == "env"
    assert s.fetch.max_redirects == 4 and loaded.source_of("fetch.max_redirects").startswith("file")
    assert (
        s.fetch.per_host_concurrency == 2
        and loaded.source_of("fetch.per_host_concurrency") == "default"
    )


def test_discovery_order(home: Path) -> None:
    explicit = write(home / "a" / "explicit.yaml", "queue_size: 1\n")
    from_env = write(home / "b" / "env.yaml", "queue_size: 2\n")
    local = write(home / "c" / "wirewatch.yaml", "queue_size: 3\n")
    user = write(home / "xdg-config" / "wirewatch" / "wirewatch.yaml", "queue_size: 4\n")
    env = {"WIREWATCH_CONFIG": str(from_env)}
    assert find_config_file(explicit, env=env, cwd=local.parent) == explicit.resolve()
    assert find_config_file(None, env=env, cwd=local.parent) == from_env.resolve()
    assert find_config_file(None, env={}, cwd=local.parent) == local.resolve()
    assert find_config_file(None, env={}, cwd=home) == user
    user.unlink()
    assert find_config_file(None, env={}, cwd=home) is None


def test_missing_explicit_config_is_an_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(home / "nope.yaml", env={}, cwd=home)


def test_unknown_key_in_file_names_it_and_suggests(home: Path) -> None:
    cfg = write(home / "w.yaml", "fetch:\n  max_bodybytes: 10\n")
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env={}, cwd=home)
    assert "fetch.max_bodybytes" in str(e.value)
    assert e.value.hint == "did you mean 'fetch.max_body_bytes'?"


def test_unknown_env_key_is_an_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="did you mean WIREWATCH_ALLOW_LOCAL_FILES"):
        load_settings(None, env={"WIREWATCH_ALLOW_LOCAL_FILE": "1"}, cwd=home)


def test_bad_value_names_the_setting(home: Path) -> None:
    cfg = write(home / "w.yaml", "queue_size: lots\n")
    with pytest.raises(ConfigError, match="queue_size"):
        load_settings(cfg, env={}, cwd=home)


def test_yaml_syntax_error_names_the_line(home: Path) -> None:
    cfg = write(home / "w.yaml", "queue_size: 1\nfetch: [unclosed\n")
    with pytest.raises(ConfigError, match=r"line (2|3)"):
        load_settings(cfg, env={}, cwd=home)


def test_data_dir_resolves_against_the_config_folder(home: Path) -> None:
    cfg = write(home / "proj" / "w.yaml", "data_dir: state\n")
    loaded = load_settings(cfg, env={}, cwd=home)
    assert loaded.settings.data_dir == (home / "proj" / "state").resolve()
    # no data_dir in the file: next to the config file
    cfg2 = write(home / "other" / "w.yaml", "queue_size: 3\n")
    assert load_settings(cfg2, env={}, cwd=home).settings.data_dir == home / "other" / "data"
    # from the environment: relative to the working directory
    loaded = load_settings(cfg, env={"WIREWATCH_DATA_DIR": "envdir"}, cwd=home)
    assert loaded.settings.data_dir == (home / "envdir").resolve()


def test_env_json_lists(home: Path) -> None:
    env = {"WIREWATCH_FEEDS": '[{"url": "https://ex.com/feed"}]'}
    assert load_settings(None, env=env, cwd=home).settings.feeds[0].url == "https://ex.com/feed"


def test_secrets_are_redacted_in_the_view(home: Path) -> None:
    cfg = write(home / "w.yaml", "notify:\n  webhook_secret: hunter2\n")
    loaded = load_settings(cfg, env={}, cwd=home)
    assert loaded.settings.notify.webhook_secret is not None
    assert loaded.settings.notify.webhook_secret.get_secret_value() == "hunter2"
    view = {k: v for k, v, _ in effective_view(loaded)}
    assert view["notify.webhook_secret"] == "**********"
    assert "hunter2" not in repr(view) and "hunter2" not in repr(loaded.settings)
