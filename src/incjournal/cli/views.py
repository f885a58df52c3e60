"""Read-only views: timeline, check."""

from __future__ import annotations

from typing import Annotated

import typer

from incjournal import journal as journal_mod
from incjournal.cli import app
from incjournal.cli.common import IncidentOpt, JsonOpt, emit_json, open_journal
from incjournal.errors import BadValue, ExitCode
from incjournal.model import Kind
from incjournal.times import parse_time, show, utcnow


@app.command()
def timeline(
    incident: IncidentOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="Only entries from then on.")] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this kind; repeatable.")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Only entries by this author.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The incident's chronological log (corrected view).

    Example: ij timeline --since "1h ago" --kind decision
    """
    from incjournal.views import entry_json
    from incjournal.views import timeline as build

    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    tz = journal.config.tz
    since_at = parse_time(since, tz, utcnow()) if since else None
    kinds = [_kind(k) for k in kind or []]
    entries = build(
        journal_mod.load_state(journal, incident_id), since=since_at, kinds=kinds, by=by
    )
    if as_json:
        emit_json([entry_json(e) for e in entries])
        return
    for entry in entries:
        typer.echo(
            f"{show(entry.at, tz)}  {entry.id[:6]}  {entry.kind:<10} {entry.headline}"
            f"  — {entry.author}"
        )


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
    from incjournal.checks import check as run_check

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
