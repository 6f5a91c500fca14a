"""`wirewatch feeds …`: subscribe, import/export OPML, list with health, remove.

Each command imports OPML, models and storage when it runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from wirewatch.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    ago,
    app_context,
    err,
    fail,
    out,
    print_json,
)
from wirewatch.cli.tables import Column, WideOpt, print_table
from wirewatch.core.redact import redact_text, redact_url
from wirewatch.core.truncate import truncate

if TYPE_CHECKING:
    from wirewatch.core.models import Feed, FeedState

app = typer.Typer(help="Manage the feeds Wirewatch polls.", no_args_is_help=True)

# Narrow terminals keep the id (for `feeds rm`), the feed and its status.
FEED_COLUMNS = (
    Column("id", 16),
    Column("feed", None),
    Column("status", 12),
    Column("problem", 40, drop_order=4),
    Column("last ok", 10, drop_order=3),
    Column("next poll", 10, drop_order=2),
    Column("errors", 6, drop_order=1, justify="right"),
)


def feed_json(feed: Feed) -> dict[str, Any]:
    """A feed as JSON output shows it: URLs redacted, credentials masked."""
    shown = feed.model_dump(mode="json")
    shown["url"] = redact_url(feed.url)
    if feed.site_url:
        shown["site_url"] = redact_url(feed.site_url)
    return shown


@app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="Feed URL (http/https; file:// if allowed).")],
    title: Annotated[str | None, typer.Option(help="A name for the feed.")] = None,
    full_text: Annotated[
        bool, typer.Option("--full-text", help="Fetch each article's page and extract its text.")
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Subscribe to a feed."""
    from wirewatch.runtime.subscriptions import add_feed

    with app_context(config, data_dir) as ctx:
        added = add_feed(
            ctx.subscriptions, ctx.settings, ctx.clock, url, title=title, full_text=full_text
        )
        feed = added.row.feed
        if json_out:
            print_json({"feed": feed_json(feed), "created": added.created})
        else:
            what = "added feed" if added.created else "already subscribed:"
            auth = " (with basic-auth credentials)" if feed.auth else ""
            out.print(f"{what} {feed.id}  {redact_url(feed.url)}{auth}", highlight=False)


@app.command("import")
def feeds_import(
    file: Annotated[Path, typer.Argument(help="An OPML file.", exists=False)],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Subscribe to every feed of an OPML file (all or nothing: a bad file changes nothing)."""
    from ingest.opml import parse_opml
    from wirewatch.core.credentials import split_credentials
    from wirewatch.core.errors import FeedError
    from wirewatch.runtime.subscriptions import add_feed, normalise_feed_url

    with app_context(config, data_dir) as ctx:
        limits = ctx.settings.limits
        try:
            with file.open("rb") as fh:
                data = fh.read(limits.opml_bytes + 1)  # one byte more says it is too large
        except OSError as e:
            raise fail(f"cannot read {file}: {e.strerror}", "check the path") from None
        entries = parse_opml(data, source_name=str(file), limits=limits)
        # check every URL first, so one bad entry refuses the file before anything changes
        problems = []
        for entry in entries:
            try:
                normalise_feed_url(
                    split_credentials(entry.url)[0],
                    allow_local_files=ctx.settings.allow_local_files,
                    max_chars=limits.url_chars,
                )
            except FeedError as e:
                problems.append(f"{truncate(redact_url(entry.url), 80)}: {e.message}")
        if problems:
            raise fail(
                f"{file}: {len(problems)} feed URL(s) refused: " + "; ".join(problems[:5]),
                "fix or remove those outlines, then import again",
            )
        created = 0
        for entry in entries:
            added = add_feed(
                ctx.subscriptions, ctx.settings, ctx.clock, entry.url, title=entry.title
            )
            created += added.created
        if json_out:
            print_json(
                {
                    "file": str(file),
                    "feeds": len(entries),
                    "added": created,
                    "already_subscribed": len(entries) - created,
                }
            )
        else:
            out.print(
                f"imported {file}: {created} added, {len(entries) - created} already subscribed"
            )


@app.command("export")
def feeds_export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    include_secrets: Annotated[
        bool,
        typer.Option(
            "--include-secrets",
            help="Keep credentials in the URLs (user:password@, ?token=…) so the file works "
            "elsewhere; treat the file as a password.",
        ),
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write the subscriptions as OPML (credentials redacted unless --include-secrets)."""
    from ingest.opml import write_opml
    from wirewatch.core.credentials import with_credentials

    with app_context(config, data_dir) as ctx:
        feeds = [r.feed for r in ctx.subscriptions.all()]
    exported = [
        f.model_copy(
            update={
                "url": with_credentials(f.url, f.auth) if include_secrets else redact_url(f.url)
            }
        )
        for f in feeds
    ]
    data = write_opml(exported, title="Wirewatch subscriptions")
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        try:
            if include_secrets:  # owner-only before any password is written into it
                output.touch(mode=0o600)
                output.chmod(0o600)
            output.write_bytes(data)
        except OSError as e:
            raise fail(
                f"cannot write {output}: {e.strerror}", "name a file in a folder you may write to"
            ) from None
        out.print(f"wrote {output}")
    hidden = sum(1 for f, e in zip(feeds, exported, strict=True) if f.auth or f.url != e.url)
    if hidden and not include_secrets:
        err.print(
            f"note: credentials of {hidden} feed(s) are redacted in this export; "
            "--include-secrets keeps them (the file then holds passwords)",
            style="yellow",
            highlight=False,
        )


@app.command("list")
def feeds_list(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Feeds with their health: last status, last success, consecutive errors."""
    from wirewatch.core.models import FeedStatus

    with app_context(config, data_dir) as ctx:
        rows = ctx.subscriptions.all()
    if json_out:
        print_json([{"feed": feed_json(r.feed), "state": _state_json(r.state)} for r in rows])
        return
    colours = {
        FeedStatus.OK: "green",
        FeedStatus.NOT_MODIFIED: "green",
        FeedStatus.ERROR: "yellow",
        FeedStatus.DEAD: "red",
        FeedStatus.GONE: "red",
    }
    cells = []
    for r in rows:
        s = r.state
        status = s.last_status
        cells.append(
            (
                r.feed.id,
                r.feed.title or redact_url(r.feed.url),
                Text(status.value, style=colours.get(status, "white")),
                redact_text(s.last_error or s.bozo_reason or _dropped_note(s.items_dropped)),
                ago(s.last_success_at),
                "never"
                if status is FeedStatus.GONE
                else ago(s.next_poll_at)
                if s.next_poll_at
                else "now",
                str(s.consecutive_errors),
            )
        )
    print_table(FEED_COLUMNS, cells, wide=wide)
    out.print(f"{len(rows)} feeds")


def _dropped_note(dropped: int) -> str:
    if not dropped:
        return ""
    return f"{dropped:,} older items dropped (limits.items_per_feed)"


@app.command("rm")
def feeds_rm(
    feed: Annotated[str, typer.Argument(help="Feed id or URL.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Unsubscribe from a feed (its stored articles stay searchable)."""
    from wirewatch.core.credentials import split_credentials

    with app_context(config, data_dir) as ctx:
        in_config = [split_credentials(f.url)[0] for f in ctx.settings.feeds]
        row = ctx.subscriptions.remove(feed)
        if json_out:
            print_json({"removed": feed_json(row.feed)})
        else:
            out.print(f"removed {row.feed.id}  {redact_url(row.feed.url)}", highlight=False)
        if any(row.feed.url.endswith(u.lstrip("./")) for u in in_config):
            out.print(
                "note: this feed is listed in the config file and returns on the next "
                "run unless you remove it there",
                style="yellow",
            )


def _state_json(state: FeedState) -> dict[str, Any]:
    """A feed's state as JSON output shows it: an error quoting a URL is redacted."""
    shown = state.model_dump(mode="json")
    shown["last_error"] = state.last_error and redact_text(state.last_error)
    return shown
