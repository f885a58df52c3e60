"""The `ij` command line: the Typer app and its one error handler.

The commands live in one module per group (`incjournal.startup.MODULES`) and register themselves
on `app` when imported; `incjournal.startup` (the console script) imports the ones a command line
needs, `load_commands()` all of them.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

import typer
from typer.core import TyperGroup

from incjournal.cli.plainargs import plain_params
from incjournal.core.controls import visible
from incjournal.core.errors import IncJournalError, UnreadableEntry


class _Group(TyperGroup):
    """Every IncJournalError ends here: one line on stderr, the named exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IncJournalError as exc:
            typer.echo(visible(f"ij: error: {exc}"), err=True)
            raise typer.Exit(int(exc.exit_code)) from None
        except OSError as exc:  # a read-only journal, a full disk: the machine's state, not a bug
            if isinstance(exc, BrokenPipeError):
                raise
            typer.echo(visible(f"ij: error: {_os_error(exc)}"), err=True)
            raise typer.Exit(2) from None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        plain_params(self, ctx)
        return list(super().parse_args(ctx, args))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        plain_params(command, ctx)
        if command is not None and command.callback is not None:
            command.callback = _sanitised(command.callback)
        return name, command, rest


def _sanitised(callback: Any) -> Any:
    """The command's own work runs with its output through the terminal sanitiser (help and
    usage errors, printed while the arguments are read, are Typer's and never hold journal text)."""
    if getattr(callback, "sanitised", False):
        return callback
    from incjournal.cli.terminal import sanitised

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        with sanitised(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnreadableEntry)
            token = CAUGHT.set(caught)
            try:
                return callback(*args, **kwargs)
            finally:
                CAUGHT.reset(token)
                _show(caught)

    run.sanitised = True  # type: ignore[attr-defined]
    return run


# the warnings a running command has met so far: a render says when it left an entry out
CAUGHT: ContextVar[Sequence[warnings.WarningMessage]] = ContextVar("ij_caught", default=())


def unreadable_so_far() -> set[str]:
    """The entry files (as `path:line: problem`) the running command skipped so far."""
    return {str(w.message) for w in CAUGHT.get() if issubclass(w.category, UnreadableEntry)}


def _show(caught: list[warnings.WarningMessage]) -> None:
    """Each entry file a view skipped, one line; any other warning goes on as it came."""
    shown = set()
    for warning in caught:
        if issubclass(warning.category, UnreadableEntry):
            if str(warning.message) not in shown:
                typer.echo(f"ij: warning: {warning.message}; skipped (ij check)", err=True)
            shown.add(str(warning.message))
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _os_error(exc: OSError) -> str:
    name = str(exc.filename or "")
    if ".tmp-" in name:  # the temp file of an atomic write: name the folder
        name = name.rsplit("/", 1)[0]
    where = f" {name}" if name else ""
    return f"cannot use{where}: {exc.strerror or exc} (check permissions and free disk space)"


app = typer.Typer(
    cls=_Group,
    name="ij",
    help="Keep an incident's journal in git and turn it into every audience's update.\n\n"
    "Start with `ij init`, then `ij open 'Checkout errors'` and `ij note 'what you saw'`.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def run() -> None:
    """Run the app and exit with its code. The answer is flushed here, where a failure can still
    be told: a reader that went away (`ij list | head`) ends it quietly, a full disk under a
    redirect is an error (exit 2 unless the command failed already)."""
    try:
        app(prog_name="ij")
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # Python's own advice: point stdout at devnull so exit does not fail
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        print(f"ij: error: {_os_error(exc)}", file=sys.stderr)
        code = code or 2
    raise SystemExit(code)
