"""Practice nudges: `ij nudges` lists what a seasoned IC would point out; `ij snooze` quiets one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import (
    EntryOptions,
    IncidentOpt,
    JsonOpt,
    emit_json,
    entry_command,
    open_journal,
    print_written,
)
from incjournal.core.errors import BadValue, ExitCode
from incjournal.core.model import Kind
from incjournal.core.times import human_duration, parse_duration, parse_time, show, utcnow
from incjournal.store.journal import Journal

if TYPE_CHECKING:
    from incjournal.core.fold import IncidentState
    from incjournal.nudges import Nudge


@app.command("nudges")
def nudges_(
    incident: IncidentOpt = None,
    every: Annotated[
        bool,
        typer.Option(
            "-a", "--all", help="Every incident with something to point out (follow-ups too)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """What a seasoned incident commander would point out now; exit 1 if any is urgent.

    With --all: every incident's, resolved ones included (follow-ups without an owner, or not
    yet linked to an issue a week after resolution).

    Example: ij nudges --all
    """
    from incjournal.nudges import URGENT

    journal = open_journal()
    now = utcnow()
    ids = journal.incident_ids() if every else [journal.resolve_incident(incident)]
    found = {incident_id: _nudges_of(journal, incident_id, now) for incident_id in ids}
    if every:
        found = {incident_id: nudges for incident_id, nudges in found.items() if nudges[1]}
    if as_json:
        listed = [
            {"incident": i, "nudges": [n.to_json() for n in ns]} for i, (_, ns) in found.items()
        ]
        emit_json(listed if every else listed[0]["nudges"])
    elif every:
        _print_all(found, journal, now)
    else:
        for state, nudges in found.values():
            _print(nudges, state, journal, now)
    if any(n.level == URGENT for _, nudges in found.values() for n in nudges):
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _nudges_of(
    journal: Journal, incident_id: str, now: datetime
) -> tuple[IncidentState, list[Nudge]]:
    from incjournal.nudges import compute

    state = journal_mod.load_state(journal, incident_id)
    written = journal.review_written(incident_id)
    return state, compute(state, journal.config, now, review_written=written)


def _print_all(
    found: dict[str, tuple[IncidentState, list[Nudge]]], journal: Journal, now: datetime
) -> None:
    for incident_id, (state, nudges) in found.items():
        typer.echo(f"== {incident_id} ({state.status}): {state.meta.title}")
        _print(nudges, state, journal, now)
    if not found:
        typer.echo("Nothing to point out in any incident right now.")


def _print(found: Sequence[Nudge], state: IncidentState, journal: Journal, now: datetime) -> None:
    tz = journal.config.tz
    for nudge in found:
        typer.echo(f"{nudge.level:<6}  {nudge.id}\n        {nudge.message}")
    quiet = {k: v for k, v in state.snoozes.items() if now < v}
    for nudge_id, until in sorted(quiet.items()):
        typer.echo(f"snoozed {nudge_id} until {show(until, tz)}")
    if not found:
        typer.echo("Nothing to point out right now.")
    else:
        typer.echo("Quiet one for a while with: ij snooze NUDGE-ID DURATION")


@entry_command("snooze")
def snooze(
    nudge_id: Annotated[
        str, typer.Argument(metavar="NUDGE-ID", help="A nudge id from `ij nudges`, e.g. no-ic.")
    ],
    duration: Annotated[
        str, typer.Argument(metavar="DURATION", help="How long to stay quiet, e.g. 30m, 2h.")
    ],
    *,
    opts: EntryOptions,
) -> None:
    """Silence one nudge for this incident for DURATION (recorded, so every clone agrees).

    Example: ij snooze update-due:exec 15m
    """
    from incjournal.nudges import candidates

    length = _positive(duration)
    if opts.public:
        raise BadValue("a snooze is internal: drop --public")
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    now = utcnow()
    start = parse_time(opts.at, journal.config.tz, now) if opts.at else now
    state = journal_mod.load_state(journal, incident_id)
    written = journal.review_written(incident_id)
    current = [n.id for n in candidates(state, journal.config, now, review_written=written)]
    chosen = _match(nudge_id.strip(), current)
    until = start + length
    if until <= now:
        raise BadValue(f"that snooze would be over already ({show(until, journal.config.tz)})")
    text = f"for {human_duration(length)}"
    draft = opts.draft(Kind.SNOOZE, text, nudge=chosen, until=until)
    print_written(journal_mod.record(journal, incident_id, draft), "snoozed")
    typer.echo(f"{chosen} stays quiet until {show(until, journal.config.tz)}")


def _positive(text: str) -> timedelta:
    length = parse_duration(text)
    if length <= timedelta(0):
        raise BadValue(f"snooze for more than zero: {text!r} is no time at all, e.g. 30m")
    return length


def _match(given: str, current: Sequence[str]) -> str:
    """The current nudge id `given` names: exactly, or as a unique prefix."""
    if given in current:
        return given
    matches = [i for i in current if given and i.startswith(given)]
    if len(matches) == 1:
        return matches[0]
    if not current:
        raise BadValue(f"no nudge {given!r} right now: there is nothing to snooze")
    if matches:
        raise BadValue(f"nudge id {given!r} is ambiguous: use one of {', '.join(matches)}")
    raise BadValue(f"no current nudge {given!r}: use one of {', '.join(current)}")
