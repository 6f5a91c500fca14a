"""Settings: discovery, precedence (flags > env > file > defaults), unknown keys, redaction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wirewatch.core.errors import ConfigError
from wirewatch.core.settings import (
    all_keys,
    effective_view,
    env_name,
    find_config_file,
    load_settings,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


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


# --- hostile input: each gets one clear ConfigError, never another exception ---------------


@pytest.mark.parametrize(
    ("content", "says", "hint"),
    [
        (b"\x00\xff", "is not UTF-8 text (byte 2 is 0xff)", "save it as UTF-8"),
        (b"- a\n- b\n", "holds a list, not a mapping of settings", "'key: value'"),
        (b"just text\n", "holds a str, not a mapping of settings", "'key: value'"),
        (b"queue_size: 1\nfetch: [unclosed\n", "line 3, column 1 is not valid YAML", "syntax"),
        (
            b"a: \x00\n",
            "line 1, column 4 is not valid YAML: special characters are not allowed (#x0000)",
            "syntax",
        ),
    ],
)
def test_a_bad_config_file_says_what_is_wrong(
    home: Path, content: bytes, says: str, hint: str
) -> None:
    cfg = home / "w.yaml"
    cfg.write_bytes(content)
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env={}, cwd=home)
    assert says in e.value.message
    assert e.value.hint is not None and hint in e.value.hint


@pytest.mark.parametrize("content", ["", "# only a comment\n", "---\n"])
def test_an_empty_config_file_means_all_defaults(home: Path, content: str) -> None:
    cfg = write(home / "w.yaml", content)
    loaded = load_settings(cfg, env={}, cwd=home)
    assert loaded.settings.queue_size == 256
    assert loaded.settings.data_dir == home / "data"


def test_a_directory_as_config_says_it_is_a_directory(home: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_settings(home, env={}, cwd=home)
    assert "is a directory, not a file" in e.value.message
    assert "does not exist" not in e.value.message
    assert e.value.hint is not None and str(home / "wirewatch.yaml") in e.value.hint


def test_a_config_that_is_not_a_regular_file_says_so() -> None:
    with pytest.raises(ConfigError, match="is not a regular file"):
        load_settings("/dev/null", env={}, cwd=Path("/"))


def test_an_unreadable_config_file_names_the_reason(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = write(home / "w.yaml", "queue_size: 1\n")

    def denied(self: Path) -> bytes:  # chmod 000 does not stop root, who runs CI
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env={}, cwd=home)
    assert e.value.message == f"cannot read config file {cfg}: Permission denied"
    assert e.value.hint is not None and "permissions" in e.value.hint


def test_an_env_scalar_for_a_group_names_the_variable(home: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_settings(None, env={"WIREWATCH_FETCH": "x"}, cwd=home)
    assert "setting 'fetch' (from WIREWATCH_FETCH)" in e.value.message
    assert "is a group of settings, not one value" in e.value.message


def test_env_scalar_and_its_nested_key_conflict(home: Path) -> None:
    env = {"WIREWATCH_FETCH": "x", "WIREWATCH_FETCH__DEADLINE": "5"}
    with pytest.raises(ConfigError, match="WIREWATCH_FETCH__DEADLINE sets a key inside 'fetch'"):
        load_settings(None, env=env, cwd=home)


def test_a_bad_env_value_names_the_variable_not_the_config_file(home: Path) -> None:
    cfg = write(home / "w.yaml", "queue_size: 3\n")
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env={"WIREWATCH_FETCH__DEADLINE": "soon"}, cwd=home)
    assert "setting 'fetch.deadline' (from WIREWATCH_FETCH__DEADLINE)" in e.value.message
    assert str(cfg) not in e.value.message


def test_an_env_value_that_is_not_utf8_is_refused(home: Path) -> None:
    env = {"WIREWATCH_DATA_DIR": b"d\xff".decode("utf-8", "surrogateescape")}
    with pytest.raises(ConfigError, match="WIREWATCH_DATA_DIR is not valid UTF-8"):
        load_settings(None, env=env, cwd=home)


@pytest.mark.parametrize(
    "name",
    [
        "WIREWATCH_KAFKA_PORT",
        "WIREWATCH_KAFKA_CONTROLLER_PORT",
        "WIREWATCH_SERVICES_DIR",
        "WIREWATCH_CORPORA",
        "WIREWATCH_TEST_KAFKA_PORT",
    ],
)
def test_old_tooling_variables_are_unknown_settings_that_point_to_wwdev(
    home: Path, name: str
) -> None:
    """The dev tools moved to WWDEV_*; a stale export says so instead of a wrong suggestion."""
    with pytest.raises(ConfigError) as e:
        load_settings(None, env={name: "1"}, cwd=home)
    assert f"environment variable {name}" in e.value.message
    assert e.value.hint is not None and "WWDEV_" in e.value.hint


def test_the_dev_tools_variables_do_not_disturb_settings(home: Path) -> None:
    env = {
        "WWDEV_KAFKA_PORT": "19092",
        "WWDEV_KAFKA_CONTROLLER_PORT": "19093",
        "WWDEV_KAFKA_START_TIMEOUT": "120",
        "WWDEV_SERVICES_DIR": "/tmp/s",
        "WWDEV_CORPORA": "/tmp/c",
        "WWDEV_TEST_KAFKA_PORT": "19392",
    }
    assert load_settings(None, env=env, cwd=home).settings.queue_size == 256


def test_allow_private_is_checked_when_settings_load(home: Path) -> None:
    cfg = write(home / "w.yaml", 'fetch:\n  allow_private: ["127.0.0.1:abc"]\n')
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, env={}, cwd=home)
    assert e.value.message == (
        f"setting 'fetch.allow_private' (in file {cfg}): "
        "'127.0.0.1:abc': port 'abc' is not a number from 1 to 65535"
    )


def test_poller_numbers_are_bounded(home: Path) -> None:
    with pytest.raises(ConfigError, match=r"poller_index 2 must be below kafka\.poller_count 2"):
        load_settings(
            None, env={}, cwd=home, overrides={"kafka.poller_index": 2, "kafka.poller_count": 2}
        )
    with pytest.raises(ConfigError, match="less than or equal to 1024"):
        load_settings(None, env={}, cwd=home, overrides={"kafka.poller_count": 10**20})


def test_every_wirewatch_variable_the_tools_and_docs_mention_is_a_setting() -> None:
    """WIREWATCH_* means settings only: a tool variable there breaks every command (issue 14)."""
    repo = Path(__file__).resolve().parents[3]
    places = [
        repo / "README.md",
        repo / "deploy",
        repo / "scripts",
        repo / ".ci",
        repo / "bench",
        repo / "docs",
        repo / "examples",
        repo / "tests" / "conftest.py",
        repo / "tests" / "integration",
        repo / "tests" / "e2e" / "conftest.py",
    ]
    files = [f for p in places for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
    keys = all_keys()
    valid = {env_name(k) for k in keys} | {env_name(k) + "__" for k in keys} | {"WIREWATCH_CONFIG"}
    found = {
        (name, str(f.relative_to(repo)))
        for f in files
        if "build" not in f.parts
        for name in re.findall(r"\bWIREWATCH_[A-Z][A-Z0-9_]*", f.read_text(errors="replace"))
    }
    assert len(found) > 5, "the scan found nothing: check the paths"
    assert {(n, f) for n, f in found if n not in valid} == set()


@pytest.mark.parametrize("value", ["0", "1.5", "-0.1"])
def test_update_threshold_is_a_share_above_zero(home: Path, value: str) -> None:
    env = {"WIREWATCH_NOTIFY__UPDATE_THRESHOLD": value}
    with pytest.raises(ConfigError, match=r"notify\.update_threshold"):
        load_settings(env=env, cwd=home)
    ok = load_settings(env={"WIREWATCH_NOTIFY__UPDATE_THRESHOLD": "1"}, cwd=home)
    assert ok.settings.notify.update_threshold == 1.0
    assert load_settings(env={}, cwd=home).settings.notify.update_threshold == 0.2
