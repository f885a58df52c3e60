"""Read-only views: timeline, check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import (
    IncidentOpt,
    JsonOpt,
    TableFormatOpt,
    open_journal,
    table_format,
)
from incjournal.core.errors import BadValue, ExitCode
from incjournal.core.model import Entry, Kind
from incjournal.core.times import parse_time, show, utcnow
from incjournal.store.journal import Journal

if TYPE_CHECKING:
    from incjournal.core.fold import IncidentState


@app.command()
def timeline(
    incident: IncidentOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="Only entries from then on.")] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this kind; repeatable.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Only entries by this author.")] = None,
    stream: Annotated[
        str | None, typer.Option("-s", "--stream", help="Only this workstream's entries.")
    ] = None,
    as_json: JsonOpt = False,
    fmt: TableFormatOpt = "table",
) -> None:
    """The incident's chronological log (corrected view).

    With --json: a JSON array, one entry per line. With --format csv: one row per entry, the
    whole text, times in UTC and in the journal's zone.

    Example: ij timeline --since "1h ago" --kind decision

    Example: ij timeline --format csv > timeline.csv
    """
    from incjournal.store.renders import rendered

    chosen = table_format(fmt, as_json)
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    tz = journal.config.tz
    wanted = Wanted(
        parse_time(since, tz, utcnow()) if since else None, [_kind(k) for k in kind or []], by
    )
    if as_json and wanted.everything and stream is None:  # the whole timeline: cached
        typer.echo(rendered(journal, incident_id, "timeline-json", "", _whole_timeline_json))
        return
    entries = _entries(journal, incident_id, wanted, stream)
    if as_json:
        typer.echo(_timeline_json(entries))
    elif chosen == "csv":
        from incjournal.rows import TIMELINE_COLUMNS, timeline_cells
        from incjournal.tables import to_csv

        typer.echo(to_csv(TIMELINE_COLUMNS, timeline_cells(entries, tz)), nl=False)
    elif entries:
        typer.echo("\n".join(_line(entry, tz) for entry in entries))


@dataclass(frozen=True)
class Wanted:
    """Which entries of the timeline: from `since`, of `kinds` (any when empty), `by` whom."""

    since: datetime | None
    kinds: list[Kind]
    by: str | None

    @property
    def everything(self) -> bool:
        return self.since is None and not self.kinds and self.by is None


def _entries(journal: Journal, incident_id: str, wanted: Wanted, stream: str | None) -> list[Entry]:
    from incjournal.rows import timeline as build

    state = journal_mod.load_state(journal, incident_id)
    entries = build(state, since=wanted.since, kinds=wanted.kinds, by=wanted.by)
    if stream is None:
        return entries
    from incjournal.core.streams import find, member_ids

    own = member_ids(state.entries, find(state, stream).name)
    return [e for e in entries if e.id in own]


def _line(entry: Entry, tz: tzinfo) -> str:
    """One line an entry: "(+N lines)" when its text is longer."""
    from incjournal.render.labels import headline

    when, kind = show(entry.at, tz), f"{entry.kind:<10}"
    return f"{when}  {entry.id[:6]}  {kind} {headline(entry)}  — {entry.author}"


def _whole_timeline_json(state: IncidentState) -> str:
    from incjournal.rows import timeline as build

    return _timeline_json(build(state))


def _timeline_json(entries: Sequence[Entry]) -> str:
    """A JSON array with one entry per line: greppable, and quick to write for a long incident
    (an indented dump of 10,000 entries goes through json's slow pure-Python encoder)."""
    import json

    from incjournal.core.model import entry_json

    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    rows = ",\n".join([encode(entry_json(e)) for e in entries])
    return f"[\n{rows}\n]" if rows else "[]"


def _kind(name: str) -> Kind:
    try:
        return Kind(name.strip().lower())
    except ValueError:
        raise BadValue(
            f"unknown kind {name!r}: use one of {', '.join(k.value for k in Kind)}"
        ) from None


@app.command()
def check(
    repair: Annotated[
        bool, typer.Option("--repair", help="First commit entries a crash left, remove temp files.")
    ] = False,
) -> None:
    """Validate every file of the journal; prints `path:line: problem`, exit 1 on any.

    Example: ij check --repair
    """
    from incjournal.validate import check as run_check

    if repair:
        from incjournal.cli.team import print_repair

        print_repair(open_journal())
    problems = run_check(open_journal())
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s)", err=True)
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
    typer.echo("journal ok")
