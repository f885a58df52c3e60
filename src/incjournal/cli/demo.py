"""`ij demo`: build a sample journal and show every view of it."""

from __future__ import annotations

import importlib
import shlex
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal.cli import app
from incjournal.cli.common import emit_markdown, is_tty

if TYPE_CHECKING:
    from incjournal.core.fold import IncidentState
    from incjournal.demo.build import DemoJournal
    from incjournal.store.journal import Journal


@app.command()
def demo(
    directory: Annotated[
        Path | None,
        typer.Argument(help="A new or empty folder for the sample journal (default: a temp one)."),
    ] = None,
) -> None:
    """Build a sample journal with one realistic incident and print every audience's view.

    Every entry is written by the same code as `ij note` & co. (one git commit each), backdated so
    the story reads naturally. Explore it afterwards with the commands printed at the end.

    Example: ij demo /tmp/ij-demo
    """
    from incjournal.core.times import utcnow
    from incjournal.demo import build as demo_mod
    from incjournal.render.page import incident_page
    from incjournal.write import load_state

    folder = directory or Path(tempfile.mkdtemp(prefix="ij-demo-"))
    built = demo_mod.build(folder)
    journal = built.journal
    state = load_state(journal, built.incident_id)
    now = utcnow()
    _part("The dashboard: ij show")
    written = journal.review_written(built.incident_id)
    emit_markdown(incident_page(state, journal.config, now, review_written=written))
    for audience, text in _briefs(journal, state, now):
        _part(f"Brief for {audience}: ij brief --for {audience}")
        emit_markdown(text)
    _summary(built)


def _briefs(journal: Journal, state: IncidentState, now: datetime) -> list[tuple[str, str]]:
    """Every audience's brief, when the briefs module is installed."""
    try:
        briefs = importlib.import_module("incjournal.render.briefs")
    except ImportError:
        return []
    return [
        (name, str(briefs.render_brief(journal, state, name, now)))
        for name in journal.config.audiences
    ]


def _part(title: str) -> None:
    if is_tty():
        from rich.console import Console

        from incjournal.cli.terminal import raw_stdout

        Console(file=raw_stdout()).rule(f"[bold]{title}")
    else:
        typer.echo(f"\n==== {title} ====\n")


def _summary(built: DemoJournal) -> None:
    root = shlex.quote(str(built.journal.root))
    _part("Where it is")
    typer.echo(
        f"Built {built.journal.root} in {built.seconds:.1f} s: incident {built.incident_id}, "
        f"{built.entries} entries, one git commit each."
    )
    if built.review is not None:
        typer.echo(f"Review draft: {built.review}")
    typer.echo("\nTry next:")
    for command in (
        f"cd {root} && ij show",
        "ij timeline --kind decision",
        'ij search "pool"',
    ):
        typer.echo(f"  {command}")
