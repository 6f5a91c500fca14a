"""E-mail delivery: a real SMTP server on loopback (aiosmtpd) with STARTTLS from a test CA
(trustme) and AUTH; the message's parts and headers, and how each failure is classified."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sinks.email import ALERT_ID_HEADER, DIGEST_ID_HEADER, EmailSender, email_message
from tests.support.alerts import ALERT, digest_of
from wirewatch.core.settings import NotifySettings

USER, PASSWORD = "alerts", "correct horse battery"
FROM, TO = "wirewatch@example.org", "desk@example.org"


@dataclass
class Mailbox:
    """What the SMTP server accepted: the raw messages and their envelopes."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: str = "nobody@example.org"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:
        if address == self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def only(self) -> EmailMessage:
        [(_, _, raw)] = self.messages
        msg = message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    mailbox: Mailbox
    ca_file: Path


@pytest.fixture(autouse=True)
async def let_closed_connections_finish() -> AsyncIterator[None]:
    """aiosmtplib closes its transport on a refusal; the socket is released by a callback
    the event loop runs next. A test's loop ends right after the send, so give it that
    turn (a running Wirewatch's loop goes on) instead of reporting an unclosed socket."""
    yield
    await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path]:
    authority = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, path


def serve(authority: trustme.CA, ca_file: Path, *, implicit_tls: bool = False) -> Iterator[Server]:
    """An SMTP server that requires STARTTLS (or TLS from the start) and a login, with a
    certificate from `authority`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    mailbox = Mailbox()
    tls: dict[str, Any] = (
        # aiosmtpd's auth_require_tls only knows STARTTLS; this connection is TLS throughout.
        {"ssl_context": context, "auth_require_tls": False}
        if implicit_tls
        else {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    )
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        auth_required=True,
        authenticator=authenticate,
        **tls,
    )
    controller.start()
    try:
        yield Server(controller.port, mailbox, ca_file)
    finally:
        controller.stop()


@pytest.fixture
def server(ca: tuple[trustme.CA, Path]) -> Iterator[Server]:
    yield from serve(*ca)


def settings(server: Server, **changes: Any) -> NotifySettings:
    base: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": server.port,
        "smtp_user": USER,
        "smtp_password": PASSWORD,
        "smtp_from": FROM,
        "smtp_ca_file": server.ca_file,
        "timeout": 5,
    }
    return NotifySettings(**{**base, **changes})


async def test_the_alert_arrives_with_both_parts_and_its_headers(server: Server) -> None:
    result = await EmailSender(settings(server)).send(TO, ALERT)
    assert result.ok and result.status == 250
    [(mail_from, rcpt_tos, _)] = server.mailbox.messages
    assert (mail_from, rcpt_tos) == (FROM, [TO])
    msg = server.mailbox.only()
    assert msg["Subject"] == "[wirewatch] gaza talks: Talks on Rafah"
    assert (msg["From"], msg["To"]) == (FROM, TO)
    assert msg["Message-ID"] == "<9f2c4e.wirewatch@example.org>"
    assert msg[ALERT_ID_HEADER] == "9f2c4e"
    assert msg["Auto-Submitted"] == "auto-generated"
    plain = msg.get_body(("plain",))
    rich = msg.get_body(("html",))
    assert plain is not None and rich is not None
    text = plain.get_content()
    for line in [
        "Talks on Rafah",
        "https://news.example/1?a=1&b=2",
        "Source: Example News",
        "Published: 2026-11-25 12:05 UTC",
        "Matched: title:rafah, person:yoav gallant",
        "3 articles in this story",
        "Rule: gaza talks (title:rafah OR person:yoav gallant)",
    ]:
        assert line in text.splitlines()
    page = rich.get_content()
    assert '<a href="https://news.example/1?a=1&amp;b=2">Talks on Rafah</a>' in page
    assert "Matched: title:rafah, person:yoav gallant<br>3 articles in this story" in page


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_tls_from_the_start_delivers_too(ca: tuple[trustme.CA, Path]) -> None:
    for server in serve(*ca, implicit_tls=True):
        result = await EmailSender(settings(server, smtp_security="tls")).send(TO, ALERT)
        assert result.ok
        assert server.mailbox.only()["Subject"] == "[wirewatch] gaza talks: Talks on Rafah"


async def test_a_retry_is_the_same_message_so_duplicates_can_be_dropped(server: Server) -> None:
    sender = EmailSender(settings(server))
    assert (await sender.send(TO, ALERT)).ok and (await sender.send(TO, ALERT)).ok
    ids = [message_from_bytes(raw)["Message-ID"] for _, _, raw in server.mailbox.messages]
    assert ids == ["<9f2c4e.wirewatch@example.org>"] * 2


def test_feed_text_is_escaped_in_html_and_cannot_add_headers() -> None:
    hostile = ALERT.model_copy(
        update={
            "title": "Rafah <script>x</script>\r\nBcc: victim@example.org",
            "source": "<b>S</b>",
            "url": "javascript:alert(1)",
            "kind": "update",
        }
    )
    msg = email_message(hostile, FROM, TO)
    assert msg["Subject"] == (
        "[wirewatch] gaza talks: Update: Rafah <script>x</script> Bcc: victim@example.org"
    )
    assert msg["Bcc"] is None
    rich = msg.get_body(("html",))
    assert rich is not None
    page = rich.get_content()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;S&lt;/b&gt;" in page
    assert "javascript:" not in page  # a non-http(s) link is not linked
    assert message_from_bytes(msg.as_bytes(), policy=policy.default)["Bcc"] is None  # on the wire


def test_a_huge_alert_makes_a_bounded_message() -> None:
    huge = ALERT.model_copy(
        update={
            "title": "Rafah " * 200_000,
            "query": "a OR " * 100_000 + "b",
            "source": "S" * 10**6,
        }
    )
    msg = email_message(huge, FROM, TO)
    assert len(msg.as_bytes()) < 40_000
    assert len(msg["Subject"]) <= 200 and msg["Subject"].endswith("…")


async def test_a_wrong_password_is_permanent_and_never_shown(server: Server) -> None:
    wrong = "not the password"
    result = await EmailSender(settings(server, smtp_password=wrong)).send(TO, ALERT)
    assert (result.ok, result.retryable, result.status) == (False, False, 535)
    assert "notify.smtp_password" in (result.error or "")
    assert wrong not in (result.error or "") and PASSWORD not in repr(result)
    assert server.mailbox.messages == []


async def test_an_unknown_recipient_is_permanent(server: Server) -> None:
    result = await EmailSender(settings(server)).send(server.mailbox.refuse, ALERT)
    assert (result.ok, result.retryable, result.status) == (False, False, 550)
    assert "no such user" in (result.error or "")


async def test_a_certificate_from_another_ca_is_a_permanent_certificate_error(
    ca: tuple[trustme.CA, Path], tmp_path: Path
) -> None:
    stranger = trustme.CA()
    for server in serve(stranger, ca[1]):  # signed by a CA we were not told to trust
        result = await EmailSender(settings(server)).send(TO, ALERT)
        assert not result.ok and not result.retryable
        assert "certificate" in (result.error or "")
        assert "notify.smtp_ca_file" in (result.error or "")
        assert server.mailbox.messages == []


async def test_a_server_that_is_down_is_retried(server: Server) -> None:
    down = Server(free_port(), server.mailbox, server.ca_file)
    result = await EmailSender(settings(down)).send(TO, ALERT)
    assert not result.ok and result.retryable and result.status is None
    assert f"127.0.0.1:{down.port}" in (result.error or "")


async def test_without_smtp_settings_or_with_a_bad_address_nothing_is_sent(server: Server) -> None:
    unset = await EmailSender(NotifySettings()).send(TO, ALERT)
    assert not unset.ok and not unset.retryable
    assert unset.error == "e-mail is not configured: set notify.smtp_host and notify.smtp_from"
    bad = await EmailSender(settings(server)).send("desk@example.org\r\nBcc: x@y.org", ALERT)
    assert not bad.ok and not bad.retryable and "not an e-mail address" in (bad.error or "")
    assert server.mailbox.messages == []


async def test_a_digest_is_one_mail_listing_every_hit(server: Server) -> None:
    digest = digest_of(3)
    assert (await EmailSender(settings(server)).send(TO, digest)).ok
    msg = server.mailbox.only()
    assert msg["Subject"] == "[wirewatch] gaza talks: 3 new articles"
    assert msg[DIGEST_ID_HEADER] == digest.id
    assert msg["Message-ID"] == f"<{digest.id}.wirewatch@example.org>"
    plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and rich is not None
    lines = plain.get_content().splitlines()
    for title in [
        "Update: Talks on Rafah, day 0",
        "Talks on Rafah, day 1",
        "Talks on Rafah, day 2",
    ]:
        assert title in lines
    assert lines.count("https://news.example/1?a=1&b=2") == 3
    assert rich.get_content().count("<li>") == 3
