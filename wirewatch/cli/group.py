"""The root command group: arguments must be UTF-8, usage errors take one line, and a
command whose optional package is missing says which extra to install.

Python decodes the command line with `surrogateescape`, so bytes that are not
UTF-8 arrive as lone surrogates that fail much later, in a hash, in SQLite or
when printed, with a traceback. The check runs as the root group makes its
context, so it holds however the app is invoked: the console script,
`python -m wirewatch`, or the app object called in-process (CliRunner).
Click's own usage errors (a missing argument, a --limit out of range) come out
like every other error, as one `error:` line and a `hint:` line, instead of a
usage block and a panel.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperGroup

from wirewatch.cli.common import fail
from wirewatch.cli.extras import extra_for, missing_extra_message

# Typer >= 0.29 vendors Click, privately: reach its error classes through the public
# typer.BadParameter (a UsageError, itself a ClickException), not through `click`.
_ERRORS = {c.__name__: c for c in typer.BadParameter.__mro__}
_UsageError: type[Any] = _ERRORS["UsageError"]
_ClickException: type[Any] = _ERRORS["ClickException"]


def refuse_non_utf8(args: Sequence[str]) -> None:
    """Refuse the first argument that is not valid UTF-8, naming it, before any parsing."""
    for position, arg in enumerate(args, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise fail(
                f"argument {position} '{_as_typed(arg)}' is not valid UTF-8",
                "retype it, or set the terminal and locale to UTF-8",
            ) from None


def _as_typed(arg: str) -> str:
    """The argument as the user typed it, the bytes that are not UTF-8 shown as \\xNN."""
    try:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no byte produced (an in-process caller's)
        return arg.encode("utf-8", "backslashreplace").decode("utf-8")


@contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    try:
        yield
    except _UsageError as e:
        if type(e).__name__ == "NoArgsIsHelpError":
            raise  # `wirewatch` alone prints the help, as intended
        hint = f"see '{e.ctx.command_path} --help'" if e.ctx else None
        raise fail(e.format_message(), hint, code=e.exit_code) from None
    except _ClickException as e:
        raise fail(e.format_message(), code=e.exit_code) from None


@contextmanager
def _missing_extras(ctx: Any) -> Iterator[None]:
    """A command that needs an extra the plain set-up lacks: one line naming it, exit 2.

    A missing module that belongs to no extra is a bug and keeps its traceback.
    """
    try:
        yield
    except ModuleNotFoundError as e:
        if e.name is None or (extra := extra_for(e.name)) is None:
            raise
        command = f"wirewatch {ctx.invoked_subcommand}"
        raise fail(missing_extra_message(command, e.name, extra)) from None


class CheckedGroup(TyperGroup):
    """A TyperGroup that checks the raw arguments, prints usage errors in one line and
    names the extra a command is missing."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Any = None,
        **extra: Any,
    ) -> Any:
        refuse_non_utf8(args)
        with _one_line_usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage_errors(), _missing_extras(ctx):
            return super().invoke(ctx)
