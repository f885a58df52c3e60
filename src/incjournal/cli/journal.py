"""Journal and incident commands: init, open, list, use, show."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app, complete
from incjournal.cli.common import (
    AtOpt,
    ByOpt,
    IncidentOpt,
    JsonOpt,
    emit_json,
    emit_markdown,
    open_journal,
    print_written,
)
from incjournal.core.times import human_seconds, parse_time, utcnow
from incjournal.core.times import show as show_time
from incjournal.store.journal import Journal


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the journal.")] = Path("."),
    by: ByOpt = None,
) -> None:
    """Make DIRECTORY an incident journal (a git repo with incjournal.toml). Safe to repeat.

    Example: ij init ~/incidents
    """
    journal, created = journal_mod.init(directory, by)
    verb = "initialised" if created else "already a journal:"
    typer.echo(f"{verb} {journal.root}")


@app.command("open")
def open_(
    title: Annotated[str, typer.Argument(help="What is wrong, in a few words.")],
    sev: Annotated[
        int | None, typer.Option("--sev", help="Severity level, e.g. 1 (worst).")
    ] = None,
    at: AtOpt = None,
    slug: Annotated[
        str | None, typer.Option("--id", help="Id slug (default: from the title).")
    ] = None,
    ic: Annotated[str | None, typer.Option("--ic", help="Incident commander.")] = None,
    by: ByOpt = None,
) -> None:
    """Start an incident; it becomes the current one in this clone.

    Example: ij open "Checkout errors in EU" --sev 2 --ic alice
    """
    journal = open_journal()
    result = journal_mod.open_incident(journal, title, severity=sev, at=at, slug=slug, ic=ic, by=by)
    print_written(result, "opened")


@app.command("list")
def list_(
    open_only: Annotated[
        bool, typer.Option("--open/--all", help="Only open incidents (default), or all.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Incidents with status, severity, age and incident commander.

    Example: ij list --all
    """
    from incjournal.rows import incident_rows

    journal = open_journal()
    rows = incident_rows(journal, open_only=open_only, now=utcnow())
    if as_json:
        emit_json([row.to_json() for row in rows])
        return
    if not rows:
        typer.echo("no open incidents" if open_only else "no incidents yet: `ij open TITLE`")
        return
    lines = [
        f"{'*' if current else ' '} {id_}  {status:<13} "
        f"{'SEV?' if severity is None else f'SEV{severity}':<5} "
        f"{human_seconds(age_s):>7}  ic: {ic or '—':<12} {title}"
        for id_, title, status, severity, ic, _, age_s, current in rows
    ]
    typer.echo("\n".join(lines))  # one write: 10,000 echo calls cost 0.1 s


@app.command()
def use(
    incident: Annotated[
        str,
        typer.Argument(help="Incident id or unique prefix.", autocompletion=complete.incident_ids),
    ],
) -> None:
    """Make INCIDENT the current one in this clone (not committed).

    Example: ij use 2026-11-23-checkout
    """
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    journal.set_current(incident_id)
    typer.echo(f"current incident: {incident_id}")


@app.command()
def show(
    incident: Annotated[
        str | None,
        typer.Argument(
            help="Incident id (default: current).", autocompletion=complete.incident_ids
        ),
    ] = None,
    incident_opt: IncidentOpt = None,
    markdown: Annotated[bool, typer.Option("--markdown", help="Raw Markdown.")] = False,
    as_json: JsonOpt = False,
    stream: Annotated[
        str | None, typer.Option("-s", "--stream", help="Only this workstream's items.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="What we knew then: the journal as it stood at T."),
    ] = None,
) -> None:
    """Dashboard: status, severity, roles, impact, what is open, decisions, recent timeline.

    With --as-of T: the journal as it stood at T (the entries recorded by then), for a review
    that judges decisions by what was known when they were taken.

    Example: ij show --stream db-recovery

    Example: ij show --as-of 10:30
    """
    from incjournal.render.page import incident_page

    journal = open_journal()
    incident_id = journal.resolve_incident(incident or incident_opt)
    state = journal_mod.load_state(journal, incident_id)
    now = utcnow()
    if as_of is not None:
        now = parse_time(as_of, journal.config.tz, now)
        state = state.known_at(now)
    if stream is not None:
        from incjournal.core.streams import stream_state

        state = stream_state(state, stream)
    if as_json:
        from incjournal.rows import state_json

        emit_json(state_json(state, journal.config, now))
        return

    written = journal.review_written(incident_id)
    page = incident_page(state, journal.config, now, review_written=written)
    emit_markdown(page if as_of is None else _as_it_stood(page, now, journal), raw=markdown)


def _as_it_stood(page: str, when: datetime, journal: Journal) -> str:
    """The page with a line under its title saying it shows the journal as it stood at `when`."""
    title, rest = page.split("\n", 1)
    at = show_time(when, journal.config.tz)
    stood = f"_As the journal stood at {at}: entries recorded by then._"
    return f"{title}\n\n{stood}\n{rest}"
