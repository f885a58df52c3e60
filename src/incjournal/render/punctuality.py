"""Were the updates on time? Each audience's updates against its cadence, as the clock stood.

An update is due one cadence (at the severity of the time) after detection, the audience's
previous update or a reopen, or when that update promised with `--next`; after a resolution
one final update is owed (late if it was owed before), and nothing more until a reopen. One
pass over the entries: a long incident is not refolded per update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from incjournal.core.cadence import due_updates
from incjournal.core.config import Config
from incjournal.core.fold import RESOLVED_STATE, IncidentState
from incjournal.core.model import Entry, Kind


@dataclass
class Punctuality:
    """One audience's record: updates on time, late, and by how much at worst."""

    audience: str
    on_time: int = 0
    late: int = 0
    worst: timedelta = timedelta(0)
    final_missing: bool = False  # resolved, and the final update never went out

    @property
    def sent(self) -> int:
        return self.on_time + self.late


@dataclass
class _Clock:
    start: datetime  # detection, or the last reopen: every audience's clock starts there
    severity: int | None = None
    resolved_at: datetime | None = None

    def status(self, entry: Entry) -> None:
        if entry.state == RESOLVED_STATE:
            self.resolved_at = entry.at
        elif self.resolved_at is not None:  # reopened: nothing was owed while resolved
            self.resolved_at, self.start = None, entry.at


def punctuality(state: IncidentState, config: Config) -> list[Punctuality]:
    """Every audience with a cadence, in config order."""
    records = {a: Punctuality(a) for a in config.audiences}
    previous: dict[str, Entry] = {}
    clock = _Clock(state.milestones.detected or state.meta.opened_at)
    for entry in state.live_entries():
        if entry.kind in (Kind.OPEN, Kind.SEVERITY) and entry.level is not None:
            clock.severity = entry.level
        elif entry.kind is Kind.STATUS:
            clock.status(entry)
        elif entry.kind is Kind.UPDATE and entry.audience in records:
            due = _due(config, entry.audience, clock, previous.get(entry.audience))
            _count(records[entry.audience], entry.at, due)
            previous[entry.audience] = entry
    _final(state, config, records)
    return [r for r in records.values() if config.cadence(r.audience, state.severity)]


def _due(config: Config, audience: str, clock: _Clock, previous: Entry | None) -> datetime | None:
    cadence = config.cadence(audience, clock.severity)
    if previous is not None and previous.at >= clock.start and previous.next_at is not None:
        due: datetime | None = previous.next_at
    else:
        since = max(previous.at, clock.start) if previous is not None else clock.start
        due = since + cadence if cadence is not None else None
    if clock.resolved_at is None:
        return due
    if previous is not None and previous.at >= clock.resolved_at:
        return None  # an extra update after the final one: never late
    final = clock.resolved_at + (cadence or timedelta(0))  # owed within a cadence of resolving
    return min(due, final) if due is not None else final  # unless it was owed before


def _count(record: Punctuality, at: datetime, due: datetime | None) -> None:
    if due is None or at <= due:
        record.on_time += 1
        return
    record.late += 1
    record.worst = max(record.worst, at - due)


def _final(state: IncidentState, config: Config, records: dict[str, Punctuality]) -> None:
    """After the resolution, an audience that never got its final update."""
    end = state.last_at
    if not state.is_resolved or end is None:
        return
    for due in due_updates(state, config, end):
        if due.audience in records and due.next_due is not None:
            records[due.audience].final_missing = True
