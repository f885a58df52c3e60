"""`ij digest`: what changed per open incident in a period, what is open, what is due."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import JsonOpt, emit_json, emit_markdown, open_journal
from incjournal.core.errors import BadTime
from incjournal.core.times import parse_duration, parse_time, utcnow


@app.command()
def digest(
    since: Annotated[
        str, typer.Option("--since", help="The period: a duration (24h, 3d) or a time.")
    ] = "24h",
    every: Annotated[bool, typer.Option("--all", help="Resolved incidents too.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Raw Markdown on a TTY.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The daily read for long incidents: per open incident, what changed in the period, what is
    open (per workstream), the next updates due and the follow-ups added.

    Example: ij digest --since 24h
    """
    from incjournal.render import digest as render

    journal = open_journal()
    now = utcnow()
    start = _start(since, journal.config.tz, now)
    states = [journal_mod.load_state(journal, i) for i in journal.incident_ids()]
    chosen = [s for s in states if every or not s.is_resolved]
    found = [render.digest(s, journal.config, start, now) for s in chosen]
    if as_json:
        emit_json(render.to_json(found, start))
        return
    emit_markdown(render.markdown(found, start, journal.config.tz), raw=markdown)


def _start(since: str, tz: tzinfo, now: datetime) -> datetime:
    """'24h' means 24 hours ago; anything else is a time (10:30, ISO 8601, '2d ago')."""
    try:
        return now - parse_duration(since)
    except BadTime:
        return parse_time(since, tz, now)
