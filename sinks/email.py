"""Alert delivery by e-mail: one message per alert and recipient, over SMTP.

The message (`email_message`, pure, for tests and docs) has a plain-text and an HTML
part saying the same: the headline linked to the article, source, publication time,
matched terms, story size and the rule. Everything from a feed or a rule is
HTML-escaped in the HTML part, and cut at `FIELD_CHARS` (at a word, with '…').
Headers:

* `Subject: [wirewatch] <rule>: <title>` (`Update: <title>` for an update), on one
  line: line breaks and control characters from a feed become spaces, so a title
  can never add a header or a recipient.
* `Message-ID: <<alert id>.wirewatch@<From domain>>` and `X-Wirewatch-Alert-Id` —
  the same on every retry and after a crash, so a mail system or reader can drop a
  duplicate (delivery is at-least-once).
* A digest (several hits of a paced rule) has `Subject: [wirewatch] <rule>: N new
  articles`, lists each hit with the same facts, and carries `X-Wirewatch-Digest-Id`.
* `Date` is when the alert was made; `Auto-Submitted: auto-generated` keeps
  vacation auto-replies away.

Sending uses `notify.smtp_*`: TLS is required by default (`starttls` on port 587:
a server that does not offer STARTTLS is refused, never talked to in clear; `tls`
for port 465; `none` only for a trusted local relay), the certificate checked
against the system's CAs or `notify.smtp_ca_file`, AUTH when `smtp_user` is set,
`notify.timeout` per SMTP step. The SMTP server is the operator's, not a rule's,
so no address guard applies; a rule only chooses recipients.

One call to `send` is one attempt (retries belong to the runtime). Failures are
classified: no connection, a timeout, a dropped connection or a 4xx reply are
retried; a 5xx reply (e.g. 550 unknown recipient), a refused login, a certificate
that does not verify or a server without STARTTLS are permanent, with an error that
says what to fix. The password is never part of an error.
"""

from __future__ import annotations

import html
import re
import ssl
from dataclasses import replace
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from sinks.alert_text import headline, link_target, matched, published, story_line
from sinks.webhook import DeliveryResult
from wirewatch.core.models import Alert, Digest, Notification
from wirewatch.core.settings import LimitsSettings, NotifySettings, email_ready, is_email_address
from wirewatch.core.truncate import truncate

FIELD_CHARS = 1_000  # title, rule name, query and source
TERMS_CHARS = 5_000
SUBJECT_CHARS = 200
ALERT_ID_HEADER = "X-Wirewatch-Alert-Id"
DIGEST_ID_HEADER = "X-Wirewatch-Digest-Id"

_NOT_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def one_line(text: str) -> str:
    """`text` safe in a header: every run of line breaks, tabs and controls one space."""
    return _NOT_ONE_LINE.sub(" ", text).strip()


def subject(alert: Alert) -> str:
    """`[wirewatch] <rule>: <headline>`, one line, cut to `SUBJECT_CHARS`."""
    return truncate(one_line(f"[wirewatch] {alert.rule_name}: {headline(alert)}"), SUBJECT_CHARS)


def _facts(alert: Alert) -> list[tuple[str, str]]:
    """(label, text) lines under the headline, unescaped and bounded."""
    facts = [("Source", truncate(alert.source, FIELD_CHARS)), ("Published", published(alert))]
    if (terms := matched(alert)) is not None:
        facts.append(("Matched", truncate(terms, TERMS_CHARS)))
    return facts


def plain_text(alert: Alert, url: str | None) -> str:
    """The text/plain part: headline, URL, facts, story size, rule and query."""
    lines = [truncate(headline(alert), FIELD_CHARS)]
    if url is not None:
        lines.append(url)
    lines.append("")
    lines += [f"{label}: {text}" for label, text in _facts(alert)]
    if (story := story_line(alert)) is not None:
        lines.append(story)
    rule = truncate(alert.rule_name, FIELD_CHARS)
    lines += ["", f"Rule: {rule} ({truncate(alert.query, FIELD_CHARS)})", ""]
    return "\n".join(lines)


def html_text(alert: Alert, url: str | None) -> str:
    """The text/html part: the plain part's content, every value escaped, the title linked."""
    esc = html.escape
    title = esc(truncate(headline(alert), FIELD_CHARS))
    linked = f'<a href="{esc(url)}">{title}</a>' if url is not None else title
    facts = [f"{esc(label)}: {esc(text)}" for label, text in _facts(alert)]
    if (story := story_line(alert)) is not None:
        facts.append(esc(story))
    rule = esc(truncate(alert.rule_name, FIELD_CHARS))
    query = esc(truncate(alert.query, FIELD_CHARS))
    return (
        "<!DOCTYPE html><html><body>\n"
        f"<p><strong>{linked}</strong></p>\n"
        f"<p>{'<br>'.join(facts)}</p>\n"
        f"<p>Rule: <strong>{rule}</strong> (<code>{query}</code>)</p>\n"
        "</body></html>\n"
    )


def _digest_count(digest: Digest) -> str:
    n = len(digest.alerts)
    return f"{n} new article" + ("" if n == 1 else "s")


def digest_subject(digest: Digest) -> str:
    """`[wirewatch] <rule>: N new articles`, one line, cut to `SUBJECT_CHARS`."""
    text = f"[wirewatch] {digest.rule_name}: {_digest_count(digest)}"
    return truncate(one_line(text), SUBJECT_CHARS)


def digest_plain_text(digest: Digest, limits: LimitsSettings) -> str:
    """The text/plain part of a digest: each hit's headline, URL and facts, then the rule."""
    lines = [f"{_digest_count(digest)} for {truncate(digest.rule_name, FIELD_CHARS)}", ""]
    for alert in digest.alerts:
        lines.append(truncate(headline(alert), FIELD_CHARS))
        if (url := link_target(alert, limits)) is not None:
            lines.append(url)
        lines += [f"{label}: {text}" for label, text in _facts(alert)]
        if (story := story_line(alert)) is not None:
            lines.append(story)
        lines.append("")
    lines += [
        f"Rule: {truncate(digest.rule_name, FIELD_CHARS)} ({truncate(digest.query, FIELD_CHARS)})",
        "",
    ]
    return "\n".join(lines)


def digest_html_text(digest: Digest, limits: LimitsSettings) -> str:
    """The text/html part of a digest: a list of the hits, every value escaped."""
    esc = html.escape
    items = []
    for alert in digest.alerts:
        url = link_target(alert, limits)
        title = esc(truncate(headline(alert), FIELD_CHARS))
        linked = f'<a href="{esc(url)}">{title}</a>' if url is not None else title
        facts = [f"{esc(label)}: {esc(text)}" for label, text in _facts(alert)]
        if (story := story_line(alert)) is not None:
            facts.append(esc(story))
        items.append(f"<li><strong>{linked}</strong><br>{'<br>'.join(facts)}</li>")
    rule = esc(truncate(digest.rule_name, FIELD_CHARS))
    query = esc(truncate(digest.query, FIELD_CHARS))
    return (
        "<!DOCTYPE html><html><body>\n"
        f"<p>{esc(_digest_count(digest))}</p>\n<ol>\n" + "\n".join(items) + "\n</ol>\n"
        f"<p>Rule: <strong>{rule}</strong> (<code>{query}</code>)</p>\n"
        "</body></html>\n"
    )


def email_message(
    message: Notification, sender: str, recipient: str, limits: LimitsSettings | None = None
) -> EmailMessage:
    """The e-mail for an alert or a digest from `sender` to `recipient` (bare addresses)."""
    limits = limits or LimitsSettings()
    msg = EmailMessage()
    if isinstance(message, Digest):
        msg["Subject"] = digest_subject(message)
        when = max(a.matched_at for a in message.alerts)
        plain, rich = digest_plain_text(message, limits), digest_html_text(message, limits)
    else:
        url = link_target(message, limits)
        msg["Subject"] = subject(message)
        when = message.matched_at
        plain, rich = plain_text(message, url), html_text(message, url)
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(when)
    message_id = one_line(message.id).replace(" ", "")
    msg["Message-ID"] = f"<{message_id}.wirewatch@{sender.rpartition('@')[2]}>"
    msg[DIGEST_ID_HEADER if isinstance(message, Digest) else ALERT_ID_HEADER] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(plain)
    msg.add_alternative(rich, subtype="html")
    return msg


class EmailSender:
    """Sends alerts by SMTP, one attempt per `send`; `status` is the SMTP reply code."""

    def __init__(self, settings: NotifySettings, *, limits: LimitsSettings | None = None) -> None:
        self.settings = settings
        self.limits = limits or LimitsSettings()

    def _tls_context(self) -> ssl.SSLContext:
        ca = self.settings.smtp_ca_file
        return ssl.create_default_context(cafile=str(ca) if ca is not None else None)

    async def send(self, address: str, message: Notification) -> DeliveryResult:
        """One delivery attempt of `message` (an alert or a digest) to `address`; never
        raises for SMTP trouble."""
        s = self.settings
        if (reason := email_ready(s)) is not None:
            return DeliveryResult(ok=False, error=reason)
        if not is_email_address(address):
            return DeliveryResult(
                ok=False, error=f"{address!r} is not an e-mail address: fix the rule's recipient"
            )
        assert s.smtp_host is not None and s.smtp_from is not None  # email_ready checked them
        try:
            tls = None if s.smtp_security == "none" else self._tls_context()
        except OSError as e:
            return DeliveryResult(
                ok=False, error=f"cannot read notify.smtp_ca_file {s.smtp_ca_file}: {e.strerror}"
            )
        try:
            await aiosmtplib.send(
                email_message(message, s.smtp_from, address, self.limits),
                sender=s.smtp_from,
                recipients=[address],
                hostname=s.smtp_host,
                port=s.smtp_port,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                tls_context=tls,
                username=s.smtp_user,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                timeout=s.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as e:
            return self._failure(e)
        return DeliveryResult(ok=True, status=250)

    def _failure(self, exc: Exception) -> DeliveryResult:
        """The classified failure, with the password masked should a server have echoed it."""
        result = _classify(exc, self.settings)
        secret = self.settings.smtp_password
        if secret is not None and secret.get_secret_value() and result.error:
            result = replace(result, error=result.error.replace(secret.get_secret_value(), "***"))
        return result


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """`exc` or the first exception of `kind` it was raised from."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _classify(exc: Exception, s: NotifySettings) -> DeliveryResult:
    """Which SMTP failures can pass by retrying, with a one-line reason and fix for each."""
    server = f"SMTP server {s.smtp_host}:{s.smtp_port}"
    if (cert := _cause(exc, ssl.SSLCertVerificationError)) is not None:
        why = getattr(cert, "verify_message", None) or str(cert)
        return DeliveryResult(
            ok=False,
            error=f"the {server} presented a certificate that does not verify ({why}): set "
            "notify.smtp_ca_file to the CA that signed it, or fix the server's certificate",
        )
    if (tls := _cause(exc, ssl.SSLError)) is not None:
        return DeliveryResult(
            ok=False,
            error=f"TLS with the {server} failed ({tls}): check notify.smtp_security "
            "(starttls on port 587, tls on port 465) and notify.smtp_port",
        )
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return DeliveryResult(
            ok=False,
            status=exc.code,
            error=f"the {server} refused the login of {s.smtp_user!r} ({exc.code} "
            f"{exc.message}): check notify.smtp_user and notify.smtp_password",
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        retryable = 400 <= exc.code < 500
        what = "try later" if retryable else "permanent"
        return DeliveryResult(
            ok=False,
            status=exc.code,
            error=f"the {server} answered {exc.code} {one_line(exc.message)} ({what})",
            retryable=retryable,
        )
    if isinstance(exc, OSError):  # refused, unreachable, timed out, dropped: aiosmtplib's too
        return DeliveryResult(
            ok=False, error=f"cannot reach the {server}: {one_line(str(exc))}", retryable=True
        )
    if "STARTTLS" in str(exc):
        return DeliveryResult(
            ok=False,
            error=f"the {server} does not offer STARTTLS: use notify.smtp_security 'tls' "
            "(usually port 465), or 'none' only for a trusted local relay",
        )
    # What is left is the server lacking something we need (AUTH, SMTPUTF8): no retry fixes it.
    return DeliveryResult(
        ok=False, error=f"the {server} cannot take the message ({exc}): check notify.smtp_*"
    )
