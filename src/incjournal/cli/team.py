"""Team commands: sync with the shared remote; the repair half of `ij check --repair`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from incjournal.cli import app
from incjournal.cli.common import open_journal
from incjournal.store.journal import Journal


@app.command()
def sync(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing unless there is a problem.")
    ] = False,
    lock_fd: Annotated[int | None, typer.Option("--lock-fd", hidden=True)] = None,
) -> None:
    """Pull (rebase) from the git remote, rebuild derived files, push. Offline: keeps it local.

    Commits anything a crash or a busy git left uncommitted first. Your own uncommitted changes
    outside the journal stay as they are. Exit 0 when offline (with a warning), 2 when there is
    no remote or git is busy (rebase, merge, detached HEAD).

    Example: ij sync
    """
    from incjournal import sync as sync_mod

    journal = open_journal()
    if lock_fd is not None:  # the detached auto-sync started by a write
        sync_mod.background(journal, lock_fd)
        return
    report = sync_mod.sync(journal, prompt=sys.stdin.isatty())
    if not quiet:
        for line in report.lines():
            typer.echo(line)
    warning = report.warning()
    if warning:
        typer.echo(f"ij: warning: {warning}", err=True)


def print_repair(journal: Journal) -> None:
    """`ij check --repair`: commit what a crash left, remove temp files, say what was done."""
    from incjournal.repair import repair

    done = repair(journal)
    lines = done.lines()
    for line in lines:
        typer.echo(f"repair: {line}")
    if not lines:
        typer.echo("repair: nothing to do")
