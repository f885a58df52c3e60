"""`ij watch`: the live dashboard. Redraws every second; reloads when an entry file appears.

Polling the entries folder's listing once a second is cheap (no parsing) and sees every writer:
this terminal, another one, `ij sync` pulling a teammate's entries.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal.cli import app
from incjournal.cli.common import IncidentOpt, open_journal
from incjournal.cli.terminal import raw_stdout
from incjournal.core.controls import visible
from incjournal.core.errors import IncJournalError, UnreadableEntry

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from incjournal.core.fold import IncidentState
    from incjournal.follow import Follower
    from incjournal.render.dashboard import Line
    from incjournal.store.journal import Journal

STYLES = {
    "title": "bold",
    "heading": "bold cyan",
    "dim": "dim",
    "bold": "bold",
    "warn": "yellow",
    "overdue": "bold red",
    "due": "bold yellow",
    "ok": "green",
    "public": "magenta",
    "id": "cyan",
    "sev1": "bold white on red",
    "sev2": "bold red",
    "sev3": "bold yellow",
    "sev4": "bold",
    "status-investigating": "bold black on yellow",
    "status-identified": "bold black on yellow",
    "status-monitoring": "bold black on cyan",
    "status-resolved": "bold black on green",
    "tag-hyp": "cyan",
    "tag-ask": "yellow",
    "tag-risk": "red",
    "tag-act": "green",
    "kind-decision": "bold",
    "kind-status": "bold",
    "nudge-urgent": "bold red",
    "nudge-warn": "yellow",
    "nudge-info": "cyan",
}


class Source:
    """The incident to show, reloaded only when its entry files change."""

    def __init__(self, journal: Journal, incident: str | None) -> None:
        self.journal = journal
        self.incident = incident  # None follows the clone's current incident
        self.signature: tuple[str, tuple[str, ...]] | None = None
        self.state: IncidentState | None = None
        self.problem = ""
        self.skipped: list[str] = []  # entry files the last read skipped
        self.follower: Follower | None = None  # fetches teammates' pushes in the background

    def refresh(self) -> IncidentState:
        """The latest state; on a read error, the last good one and `problem` set."""
        if self.follower is None:
            return self._refresh()
        with self.follower.lock:  # not while a fast-forward moves the files
            return self._refresh()

    def status(self) -> str:
        """What the screen should flag: a read error, or the remote being unreachable."""
        remote = self.follower.status(self.journal) if self.follower is not None else ""
        return " · ".join(p for p in (self.problem, *self.skipped[:1], remote) if p)

    def _refresh(self) -> IncidentState:
        from incjournal.write import load_state

        try:
            incident_id = self.journal.resolve_incident(self.incident)
            signature = (incident_id, tuple(self.journal.entry_names(incident_id)))
            if signature != self.signature or self.state is None:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", UnreadableEntry)
                    self.state = load_state(self.journal, incident_id)
                root = f"{self.journal.root}{os.sep}"
                self.skipped = [f"skipped {str(w.message).replace(root, '')}" for w in caught]
                self.signature = signature
            self.problem = ""
        except IncJournalError as exc:
            if self.state is None:
                raise
            self.problem = f"cannot refresh: {exc}"
        return self.state


@app.command()
def watch(
    incident: IncidentOpt = None,
    once: Annotated[
        bool, typer.Option("--once", help="Print one frame and exit (scripts, tests).")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between redraws.", min=0.2)
    ] = 1.0,
    fetch_every: Annotated[
        float | None,
        typer.Option(
            "--fetch-every",
            help="Seconds between fetches of the remote ([watch] fetch_every, default 15).",
            min=1.0,
        ),
    ] = None,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Do not fetch teammates' pushes.")
    ] = False,
) -> None:
    """Live dashboard: what is open, recent entries, and a countdown to each audience's update.

    Redraws every second and picks up new entries from any terminal or `ij sync` within a
    second; an overdue update turns red. With a git remote it fetches every 15 seconds in the
    background and fast-forwards a clean journal, so teammates' pushes appear by themselves (it
    never pushes; says "offline since HH:MM" when the remote cannot be reached). Fits an 80x24
    terminal. Ctrl-C quits (exit 0). When stdout is not a terminal it prints one frame, as --once
    does.

    Example: ij watch -i checkout
    """
    from rich.console import Console

    source = Source(open_journal(), incident)
    console = Console(file=raw_stdout(), highlight=False)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one leaves: exit 0
        source.refresh()  # a wrong incident or unreadable journal fails here, exit 2
        if once or not console.is_terminal:
            console.print(frame(source, console, live=False))
            return
        if not no_fetch:
            source.follower = _follower(source.journal, fetch_every)
        try:
            _live(source, console, interval)
        finally:
            if source.follower is not None:
                source.follower.stop()


def _follower(journal: Journal, every: float | None) -> Follower | None:
    from incjournal.follow import Follower, fetch_every, has_remote

    if not has_remote(journal):
        return None
    return Follower(journal, every or fetch_every(journal)).start()


def _live(source: Source, console: Console, interval: float) -> None:
    from rich.live import Live

    with Live(frame(source, console), console=console, screen=True, auto_refresh=False) as live:
        while True:
            time.sleep(interval)
            live.update(frame(source, console), refresh=True)


def frame(source: Source, console: Console, *, live: bool = True) -> RenderableType:
    """One screenful for this console's size (on a pipe: every line, 80 wide)."""
    from incjournal.core.times import utcnow
    from incjournal.render.dashboard import Screen, dashboard_lines

    state = source.refresh()
    now = utcnow()
    limit = console.is_terminal
    height, width = (console.size.height, console.size.width) if limit else (None, 80)
    screen = Screen(
        state,
        source.journal.config,
        now,
        height=height,
        width=width,
        nudges=current_nudges(state, source.journal, now),
        problem=source.status(),
        live=live,
    )
    return to_rich(dashboard_lines(screen))


def to_rich(lines: Sequence[Line]) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    texts = []
    for line in lines:
        text = Text(no_wrap=True, overflow="ellipsis")
        for span in line:
            text.append(visible(span.text), style=STYLES.get(span.style, ""))
        texts.append(text)
    return Group(*texts)


def current_nudges(
    state: IncidentState, journal: Journal, now: datetime
) -> tuple[tuple[str, str], ...]:
    """(level, text) of what `ij nudges` would say, when that module is installed."""
    try:
        nudges = importlib.import_module("incjournal.nudges")
    except ImportError:
        return ()
    try:
        written = journal.review_written(state.id)
        found = nudges.compute(state, journal.config, now, review_written=written)
        found = importlib.import_module("incjournal.render.nudge_lines").collapsed(found)
        return tuple((str(n.level), f"{n.id}: {n.message}") for n in found)
    except Exception as exc:  # a live screen outlives a broken optional part; it says so
        return (("warn", f"nudges unavailable: {type(exc).__name__}: {exc}"),)
