"""Feed credentials in the config file, and `config show` never showing one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wirewatch.core.errors import ConfigError
from wirewatch.core.settings import effective_view, load_settings

CONFIG = """
feeds:
  - url: https://bob:s3cret@feeds.example/private.xml
  - url: https://feeds.example/explicit.xml
    username: alice
    password: hunter2
  - url: https://api.example/feed?api_key=K3Y&lang=en
alerts:
  - name: gaza
    query: gaza
    webhook: https://hooks.example/in?token=T0K
search:
  urls: https://admin:esp4ss@search.example:9200
  username: elastic
  password: s3archpw
"""


def test_explicit_username_and_password_are_read_as_a_secret(home: Path) -> None:
    (home / "w.yaml").write_text(CONFIG, encoding="utf-8")
    feeds = load_settings(home / "w.yaml", env={}, cwd=home).settings.feeds
    assert feeds[1].username == "alice"
    assert feeds[1].password is not None and feeds[1].password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(feeds)


def test_config_show_redacts_credentials_in_every_url(home: Path) -> None:
    (home / "w.yaml").write_text(CONFIG, encoding="utf-8")
    view = {k: v for k, v, _ in effective_view(load_settings(home / "w.yaml", env={}, cwd=home))}
    shown = json.dumps(view)
    for secret in ("s3cret", "hunter2", "K3Y", "T0K", "esp4ss", "bob", "admin", "s3archpw"):
        assert secret not in shown, secret
    assert view["feeds"][0]["url"] == "https://***@feeds.example/private.xml"
    assert view["feeds"][1]["password"] == "**********"
    assert view["feeds"][2]["url"] == "https://api.example/feed?api_key=***&lang=en"
    assert view["alerts"][0]["webhook"] == "https://hooks.example/in?token=***"
    assert view["search.urls"] == ["https://***@search.example:9200"]
    assert view["search.password"] == "**********"


def test_a_password_without_a_username_is_refused(home: Path) -> None:
    (home / "w.yaml").write_text(
        "feeds:\n  - url: https://h/f.xml\n    password: hunter2\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="password needs its username") as e:
        load_settings(home / "w.yaml", env={}, cwd=home)
    assert "hunter2" not in str(e.value)


def test_search_api_key_is_a_secret_and_excludes_a_user(home: Path) -> None:
    (home / "w.yaml").write_text(
        "search:\n  engine: opensearch\n  api_key: QUJDOmRlZg==\n", encoding="utf-8"
    )
    loaded = load_settings(home / "w.yaml", env={}, cwd=home)
    assert loaded.settings.search.urls == ["http://127.0.0.1:9200"]
    view = {k: v for k, v, _ in effective_view(loaded)}
    assert view["search.api_key"] == "**********"
    (home / "w.yaml").write_text(
        "search:\n  api_key: QUJDOmRlZg==\n  username: elastic\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"search\.api_key or search\.username") as e:
        load_settings(home / "w.yaml", env={}, cwd=home)
    assert "QUJD" not in str(e.value)


def test_search_urls_from_the_environment_accept_one_url_or_a_list(home: Path) -> None:
    one = load_settings(env={"WIREWATCH_SEARCH__URLS": "http://127.0.0.1:9201"}, cwd=home)
    assert one.settings.search.urls == ["http://127.0.0.1:9201"]
    two = load_settings(
        env={"WIREWATCH_SEARCH__URLS": '["http://a:9200", "http://b:9200"]'}, cwd=home
    )
    assert two.settings.search.urls == ["http://a:9200", "http://b:9200"]
