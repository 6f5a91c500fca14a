"""`wirewatch feeds …`: subscribe, import/export OPML, list with health, remove."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ingest.opml import parse_opml, write_opml
from wirewatch.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    ago,
    app_context,
    fail,
    out,
    print_json,
    user_errors,
)
from wirewatch.core.errors import FeedError
from wirewatch.core.models import FeedStatus
from wirewatch.runtime.subscriptions import add_feed, normalise_feed_url

app = typer.Typer(help="Manage the feeds Wirewatch polls.", no_args_is_help=True)


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
    with app_context(config, data_dir) as ctx:
        added = add_feed(ctx.feeds, ctx.settings, ctx.clock, url, title=title, full_text=full_text)
        if json_out:
            print_json({"feed": added.row.feed, "created": added.created})
        elif added.created:
            out.print(f"added feed {added.row.feed.id}  {added.row.feed.url}")
        else:
            out.print(f"already subscribed: {added.row.feed.id}  {added.row.feed.url}")


@app.command("import")
def feeds_import(
    file: Annotated[Path, typer.Argument(help="An OPML file.", exists=False)],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Subscribe to every feed of an OPML file (all or nothing: a bad file changes nothing)."""
    try:
        data = file.read_bytes()
    except OSError as e:
        raise fail(f"cannot read {file}: {e.strerror}", "check the path") from None
    with user_errors():
        entries = parse_opml(data, source_name=str(file))
    with app_context(config, data_dir) as ctx:
        # check every URL first, so one bad entry refuses the file before anything changes
        problems = []
        for entry in entries:
            try:
                normalise_feed_url(entry.url, allow_local_files=ctx.settings.allow_local_files)
            except FeedError as e:
                problems.append(f"{entry.url}: {e.message}")
        if problems:
            raise fail(
                f"{file}: {len(problems)} feed URL(s) refused: " + "; ".join(problems[:5]),
                "fix or remove those outlines, then import again",
            )
        created = 0
        for entry in entries:
            added = add_feed(ctx.feeds, ctx.settings, ctx.clock, entry.url, title=entry.title)
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
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Write the subscriptions as OPML."""
    with app_context(config, data_dir) as ctx:
        data = write_opml([r.feed for r in ctx.feeds.all()], title="Wirewatch subscriptions")
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        try:
            output.write_bytes(data)
        except OSError as e:
            raise fail(
                f"cannot write {output}: {e.strerror}", "name a file in a folder you may write to"
            ) from None
        out.print(f"wrote {output}")


@app.command("list")
def feeds_list(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False
) -> None:
    """Feeds with their health: last status, last success, consecutive errors."""
    with app_context(config, data_dir) as ctx:
        rows = ctx.feeds.all()
    if json_out:
        print_json([{"feed": r.feed, "state": r.state} for r in rows])
        return
    table = Table("id", "feed", "status", "last success", "errors", "next poll", "problem")
    colours = {
        FeedStatus.OK: "green",
        FeedStatus.NOT_MODIFIED: "green",
        FeedStatus.ERROR: "yellow",
        FeedStatus.DEAD: "red",
        FeedStatus.GONE: "red",
    }
    for r in rows:
        s = r.state
        status = s.last_status
        table.add_row(
            r.feed.id,
            r.feed.title or r.feed.url,
            Text(status.value, style=colours.get(status, "white")),
            ago(s.last_success_at),
            str(s.consecutive_errors),
            "never"
            if status is FeedStatus.GONE
            else ago(s.next_poll_at)
            if s.next_poll_at
            else "now",
            s.last_error or s.bozo_reason or "",
        )
    out.print(table)
    out.print(f"{len(rows)} feeds")


@app.command("rm")
def feeds_rm(
    feed: Annotated[str, typer.Argument(help="Feed id or URL.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Unsubscribe from a feed (its stored articles stay searchable)."""
    with app_context(config, data_dir) as ctx:
        in_config = [f.url for f in ctx.settings.feeds]
        row = ctx.feeds.remove(feed)
        if json_out:
            print_json({"removed": row.feed})
        else:
            out.print(f"removed {row.feed.id}  {row.feed.url}")
        if any(row.feed.url.endswith(u.lstrip("./")) for u in in_config):
            out.print(
                "note: this feed is listed in the config file and returns on the next "
                "run unless you remove it there",
                style="yellow",
            )
