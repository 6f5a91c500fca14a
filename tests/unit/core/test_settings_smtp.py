"""E-mail delivery settings (notify.smtp_*): loaded, validated, shown redacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.core.errors import ConfigError
from wirewatch.core.settings import (
    NotifySettings,
    effective_view,
    email_ready,
    is_email_address,
    load_settings,
)


def test_smtp_settings_load_with_the_password_from_env_and_show_redacted(home: Path) -> None:
    cfg = home / "conf" / "w.yaml"
    cfg.parent.mkdir()
    cfg.write_text(
        "notify:\n  smtp_host: mail.example.org\n  smtp_user: alerts\n"
        "  smtp_from: alerts@example.org\n  smtp_ca_file: certs/ca.pem\n"
    )
    env = {"WIREWATCH_NOTIFY__SMTP_PASSWORD": "hunter2"}
    loaded = load_settings(cfg, env=env, cwd=home)
    notify = loaded.settings.notify
    assert (notify.smtp_port, notify.smtp_security) == (587, "starttls")  # the defaults
    assert notify.smtp_ca_file == (cfg.parent / "certs" / "ca.pem").resolve()
    assert notify.smtp_password is not None and notify.smtp_password.get_secret_value() == "hunter2"
    view = {k: v for k, v, _ in effective_view(loaded)}
    assert view["notify.smtp_password"] == "**********"
    assert view["notify.smtp_host"] == "mail.example.org" and view["notify.smtp_user"] == "alerts"
    assert "hunter2" not in repr(view) and "hunter2" not in repr(loaded.settings)
    assert email_ready(notify) is None


@pytest.mark.parametrize(
    ("yaml", "says"),
    [
        ("smtp_password: pw", "notify.smtp_password needs notify.smtp_user"),
        ("smtp_user: u\n  smtp_security: none", "would send the password unencrypted"),
        ("smtp_security: ssl", "smtp_security"),
        ("smtp_from: 'Alerts <alerts@example.org>'", "is not an e-mail address"),
        ('smtp_from: "a@example.org\\r\\nBcc: x@evil.example"', "is not an e-mail address"),
        ("smtp_port: 0", "smtp_port"),
    ],
)
def test_unusable_smtp_settings_are_refused_naming_the_setting(
    home: Path, yaml: str, says: str
) -> None:
    cfg = home / "w.yaml"
    cfg.write_text(f"notify:\n  {yaml}\n")
    with pytest.raises(ConfigError, match=says):
        load_settings(cfg, env={}, cwd=home)


def test_email_ready_names_what_is_missing() -> None:
    assert email_ready(NotifySettings()) == (
        "e-mail is not configured: set notify.smtp_host and notify.smtp_from"
    )
    assert email_ready(NotifySettings(smtp_host="mail.example.org")) == (
        "e-mail is not configured: set notify.smtp_from"
    )
    ready = NotifySettings(smtp_host="127.0.0.1", smtp_from="wirewatch@example.org")
    assert email_ready(ready) is None


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("news@example.org", True),
        ("first.last+tag@sub.example.co.uk", True),
        ("news@localhost", False),
        ("Newsroom <news@example.org>", False),
        ("a@example.org, b@example.org", False),
        ("a@example.org\nBcc: b@example.org", False),
        ("a@example.org\r", False),
        ("a@@example.org", False),
        ("", False),
    ],
)
def test_an_email_address_is_one_bare_address(text: str, ok: bool) -> None:
    assert is_email_address(text) is ok
