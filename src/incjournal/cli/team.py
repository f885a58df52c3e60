"""Team commands: sync with the shared remote; the repair half of `ij check --repair`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal.cli import app
from incjournal.cli.common import open_journal
from incjournal.cli.terminal import raw_stderr
from incjournal.core.controls import visible
from incjournal.store.journal import Journal

if TYPE_CHECKING:
    from incjournal.git.remote import Progress


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
    with progress_bar(not quiet and sys.stderr.isatty()) as progress:
        report = sync_mod.sync(journal, prompt=sys.stdin.isatty(), progress=progress)
    if not quiet:
        for line in report.lines():
            typer.echo(line)
    warning = report.warning()
    if warning:
        typer.echo(f"ij: warning: {warning}", err=True)


@contextmanager
def progress_bar(shown: bool) -> Iterator[Progress | None]:
    """What git's fetch and push report, as a rich progress bar on stderr (a terminal); nothing
    when `shown` is false (piped, --quiet): git is then not asked for progress at all."""
    if not shown:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, TaskID, TaskProgressColumn, TextColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=Console(file=raw_stderr(), stderr=True),
        transient=True,
    )
    stages: dict[str, TaskID] = {}

    def show(stage: str, done: float, total: float | None) -> None:
        if stage not in stages:
            stages[stage] = bar.add_task(visible(stage), total=total)
        bar.update(stages[stage], completed=done, total=total)

    with bar:
        yield show


def print_repair(journal: Journal) -> None:
    """`ij check --repair`: commit what a crash left, remove temp files, say what was done."""
    from incjournal.repair import repair

    done = repair(journal)
    lines = done.lines()
    for line in lines:
        typer.echo(f"repair: {line}")
    if not lines:
        typer.echo("repair: nothing to do")
