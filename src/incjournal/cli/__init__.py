"""The `ij` / `incjournal` command line: Typer commands only; the single error handler lives here."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from incjournal.errors import IncJournalError


class _Group(TyperGroup):
    """Every IncJournalError ends here: one line on stderr, the named exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except IncJournalError as exc:
            typer.echo(f"ij: error: {exc}", err=True)
            raise typer.Exit(int(exc.exit_code)) from None


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

# command groups register themselves on `app` when imported
from incjournal.cli import entries, journal, views  # noqa: E402,F401


def main() -> None:
    app(prog_name="ij")
