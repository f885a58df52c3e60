"""Workstreams of a long incident: `ij stream open / lead / close / list / use`.

Opening, re-leading and closing a stream are entries (one commit each), like everything else.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import (
    AtOpt,
    ByOpt,
    IncidentOpt,
    JsonOpt,
    emit_json,
    open_journal,
    print_written,
    read_text,
)
from incjournal.core import streams
from incjournal.core.errors import BadValue
from incjournal.core.model import Kind
from incjournal.core.times import utcnow

stream_app = typer.Typer(
    help="Workstreams of a long incident: each with its own lead, goal and open items.\n\n"
    "Example: ij stream open db-recovery --lead bob --goal 'restore orders from backup'",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(stream_app, name="stream")

NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The stream's name, e.g. db.")]
LeadOpt = Annotated[str | None, typer.Option("--lead", help="Who leads the stream.")]


def _record(
    incident: str | None, at: str | None, by: str | None, text: str, verb: str, **fields: Any
) -> None:
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    draft = journal_mod.Draft(Kind.STREAM, text, at, by, fields=fields)
    print_written(journal_mod.record(journal, incident_id, draft), verb)


def _state(incident: str | None) -> Any:
    journal = open_journal()
    return journal_mod.load_state(journal, journal.resolve_incident(incident))


@stream_app.command("open")
def open_(
    name: NameArg,
    lead: LeadOpt = None,
    goal: Annotated[str | None, typer.Option("--goal", help="What the stream is for.")] = None,
    incident: IncidentOpt = None,
    at: AtOpt = None,
    by: ByOpt = None,
) -> None:
    """Open a workstream (or reopen a closed one), with its lead and goal.

    Example: ij stream open db-recovery --lead bob --goal "restore orders from backup"
    """
    chosen = streams.check_name(name)
    known = {s.name: s for s in streams.streams_of(_state(incident))}
    if chosen in known and known[chosen].is_open:
        raise BadValue(f"stream {chosen!r} is already open: ij stream lead {chosen} PERSON")
    body = read_text(goal) if goal is not None else ""
    _record(incident, at, by, body, "opened stream", state=streams.OPENED, stream=chosen,
            person=_person(lead))  # fmt: skip


@stream_app.command("lead")
def lead_(
    name: NameArg,
    person: Annotated[str, typer.Argument(help="Who leads it from now on.")],
    incident: IncidentOpt = None,
    at: AtOpt = None,
    by: ByOpt = None,
) -> None:
    """Hand a workstream to a new lead.

    Example: ij stream lead db-recovery dana
    """
    stream = streams.check_open(_state(incident), name)
    _record(incident, at, by, "", "new lead for stream", state=streams.LEAD, stream=stream.name,
            person=_person(person) or _missing_person())  # fmt: skip


@stream_app.command("close")
def close(
    name: NameArg,
    text: Annotated[str | None, typer.Argument(help="How it ended; '-' reads stdin.")] = None,
    incident: IncidentOpt = None,
    at: AtOpt = None,
    by: ByOpt = None,
) -> None:
    """Close a workstream: its goal is met or it is no longer needed.

    Example: ij stream close db-recovery "orders restored; 0 lost"
    """
    stream = streams.check_open(_state(incident), name)
    body = read_text(text) if text is not None else ""
    _record(incident, at, by, body, "closed stream", state=streams.CLOSED, stream=stream.name)


@stream_app.command("use")
def use(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A stream, or '-' for none.")],
    incident: IncidentOpt = None,
) -> None:
    """Write this clone's next entries into stream NAME (not committed; '-' for none).

    Example: ij stream use db-recovery
    """
    from incjournal import current_stream

    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    chosen = current_stream.use(journal, incident_id, name)
    typer.echo(f"current stream: {chosen}" if chosen else "no current stream")


@stream_app.command("list")
def list_(
    every: Annotated[bool, typer.Option("--all", help="Closed streams too.")] = False,
    incident: IncidentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The incident's workstreams: lead, goal, open work, last entry and its age.

    Example: ij stream list --all
    """
    from incjournal import current_stream
    from incjournal.render.streams import stream_json, stream_row

    journal = open_journal()
    state = journal_mod.load_state(journal, journal.resolve_incident(incident))
    now = utcnow()
    found = [s for s in streams.streams_of(state) if every or s.is_open]
    if as_json:
        emit_json([stream_json(s) for s in found])
        return
    if not found:
        typer.echo("no open streams: ij stream open NAME --lead PERSON")
        return
    chosen = current_stream.current(journal, state.id)
    for stream in found:
        mark = "*" if stream.name == chosen else " "
        typer.echo(f"{mark} {stream_row(stream, journal.config.tz, now)}")


def _person(person: str | None) -> str | None:
    return " ".join(person.split()) if person and person.strip() else None


def _missing_person() -> str:
    raise BadValue("missing PERSON: e.g. ij stream lead db-recovery dana")
