"""Read-only views: timeline, check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import IncidentOpt, JsonOpt, open_journal
from incjournal.core.errors import BadValue, ExitCode
from incjournal.core.model import Entry, Kind
from incjournal.core.times import parse_time, show, utcnow


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
) -> None:
    """The incident's chronological log (corrected view).

    With --json: a JSON array, one entry per line.

    Example: ij timeline --since "1h ago" --kind decision
    """
    from incjournal.rows import timeline as build
    from incjournal.store.renders import rendered

    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    tz = journal.config.tz
    since_at = parse_time(since, tz, utcnow()) if since else None
    kinds = [_kind(k) for k in kind or []]
    whole = since is None and not kinds and by is None and stream is None
    if as_json and whole:  # the whole timeline: cached
        text = rendered(
            journal, incident_id, "timeline-json", "", lambda s: _timeline_json(build(s))
        )
        typer.echo(text)
        return
    state = journal_mod.load_state(journal, incident_id)
    entries = build(state, since=since_at, kinds=kinds, by=by)
    if stream is not None:
        from incjournal.core.streams import find, member_ids

        own = member_ids(state.entries, find(state, stream).name)
        entries = [e for e in entries if e.id in own]
    if as_json:
        typer.echo(_timeline_json(entries))
        return
    from incjournal.render.labels import headline  # one line each, "(+N lines)" when longer

    lines = [
        f"{show(entry.at, tz)}  {entry.id[:6]}  {entry.kind:<10} {headline(entry)}"
        f"  — {entry.author}"
        for entry in entries
    ]
    if lines:
        typer.echo("\n".join(lines))


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
