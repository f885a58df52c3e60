"""When each audience hears from us next: the cadence clocks as views for briefs and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from incjournal.core.cadence import Due, due_updates
from incjournal.core.config import Config
from incjournal.core.fold import IncidentState
from incjournal.core.times import human_duration
from incjournal.render.labels import clock, words


@dataclass(frozen=True)
class NextUpdate:
    """When this audience hears from us next, if the update being prepared goes out now."""

    final: bool
    at: str
    every: str


def next_update(state: IncidentState, config: Config, audience: str, now: datetime) -> NextUpdate:
    if state.is_resolved:
        return NextUpdate(True, "", "")
    cadence = config.cadence(audience, state.severity)
    if cadence is None:
        return NextUpdate(False, "", "")
    return NextUpdate(False, clock(now + cadence, config.tz, now), words(cadence))


@dataclass(frozen=True)
class DueView:
    """An audience's cadence clock: 'overdue', 'due', 'ok' or 'none'."""

    audience: str
    public: bool
    state: str
    at: str
    phrase: str
    last: str


def due_phrase(due: Due) -> str:
    """'in 8m', '5m overdue', 'no update owed'."""
    remaining = due.remaining
    if remaining is None:
        return "no update owed"
    if remaining < timedelta(0):
        return f"{human_duration(-remaining)} overdue"
    return f"in {human_duration(remaining)}"


def due_line(due: DueView) -> str:
    """'exec: next in 7m (11:15 UTC); last sent 11:00 UTC', 'public: OVERDUE by 5m (…)'."""
    public = " (public)" if due.public else ""
    last = f"last sent {due.last}" if due.last != "—" else "none sent yet"
    if due.state == "overdue":
        return f"{due.audience}{public}: OVERDUE, {due.phrase} (was due {due.at}); {last}"
    word = "due" if due.state == "due" else "next"
    return f"{due.audience}{public}: {word} {due.phrase} ({due.at}); {last}"


def due_view(due: Due, tz: tzinfo, now: datetime) -> DueView:
    return DueView(
        due.audience,
        due.public,
        due.state,
        clock(due.next_due, tz, now),
        due_phrase(due),
        clock(due.last_update, tz, now),
    )


def due_views(state: IncidentState, config: Config, now: datetime) -> tuple[DueView, ...]:
    return tuple(due_view(d, config.tz, now) for d in due_updates(state, config, now))
