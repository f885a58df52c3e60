"""The `ij` / `incjournal` command line: Typer commands only; the one error handler is here."""

from __future__ import annotations

import atexit
import importlib
import os
import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from incjournal.beside import wait_behind
from incjournal.cli.plainargs import plain_params
from incjournal.core.errors import IncJournalError
from incjournal.startup import command_modules, completing


class _Group(TyperGroup):
    """Every IncJournalError ends here: one line on stderr, the named exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IncJournalError as exc:
            typer.echo(f"ij: error: {exc}", err=True)
            raise typer.Exit(int(exc.exit_code)) from None
        except OSError as exc:  # a read-only journal, a full disk: the machine's state, not a bug
            if isinstance(exc, BrokenPipeError):
                raise
            typer.echo(f"ij: error: {_os_error(exc)}", err=True)
            raise typer.Exit(2) from None
        finally:
            wait_behind()  # cache files written while the command answered

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        plain_params(self, ctx)
        return list(super().parse_args(ctx, args))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        plain_params(command, ctx)
        return name, command, rest


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

# command groups register themselves on `app` when imported: all of them, or for a command line
# that names a command, its module alone (`incjournal.startup`, the console script)
for _module in command_modules():
    importlib.import_module(f"incjournal.cli.{_module}")


def main() -> None:
    _build_only_the_command_run(sys.argv[1:])
    try:
        app(prog_name="ij")
    except SystemExit as exc:
        _leave(exc.code)
    _leave(0)


def _leave(code: object) -> NoReturn:
    """Exit without the interpreter's teardown: freeing a long incident's objects one by one takes
    ~70 ms after the answer is already out. What teardown does that matters is done here: the
    atexit handlers run, stdout and stderr are flushed (a reader that went away, as `| head` does,
    ends it quietly). Under a profiler or a coverage tracer, the usual exit (they report then)."""
    if sys.getprofile() or sys.gettrace():  # a profiler or coverage reports at teardown
        raise SystemExit(code)
    status = code if isinstance(code, int) else 0 if code is None else 1
    if isinstance(code, str):
        print(code, file=sys.stderr)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is not None:
        run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass
        except OSError as exc:  # a full disk under a redirect: the answer did not get out
            os.write(2, f"ij: error: {_os_error(exc)}\n".encode())
            status = status or 2
    os._exit(status)


def _build_only_the_command_run(args: list[str]) -> None:
    """Start-up: Typer turns every registered command into a Click command before parsing (~60 ms
    for 40 commands); `ij note ...` needs one. When the first argument is exactly a command's name,
    keep that one (and one other, so Typer still builds a group). Help, completion and anything
    else keep them all."""
    if not args or completing():
        return
    commands = app.registered_commands
    chosen = [c for c in commands if _command_name(c) == args[0]]
    if len(chosen) == 1:
        other = next(c for c in commands if c is not chosen[0])
        commands[:] = [chosen[0], other]


def _command_name(info: Any) -> str:
    return str(info.name or info.callback.__name__.replace("_", "-"))
