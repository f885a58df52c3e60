"""When each audience hears from us next: the update cadence clock, a pure function of the state.

An audience's clock starts at detection and restarts at each `ij update AUDIENCE` (or at the time
that update promised with `--next`). After resolution one final update is owed to each audience
that has not heard from us since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState

SOON = timedelta(minutes=5)


@dataclass(frozen=True)
class Due:
    audience: str
    public: bool
    cadence: timedelta | None
    last_update: datetime | None
    next_due: datetime | None
    now: datetime

    @property
    def remaining(self) -> timedelta | None:
        return self.next_due - self.now if self.next_due is not None else None

    @property
    def state(self) -> str:
        """'overdue', 'due' (within 5 minutes), 'ok', or 'none' (nothing owed)."""
        remaining = self.remaining
        if remaining is None:
            return "none"
        if remaining < timedelta(0):
            return "overdue"
        return "due" if remaining <= SOON else "ok"


def due_updates(state: IncidentState, config: Config, now: datetime) -> list[Due]:
    """One Due per configured audience, in config order."""
    return [_due(state, config, name, now) for name in config.audiences]


def _due(state: IncidentState, config: Config, audience: str, now: datetime) -> Due:
    public = config.audiences[audience].public
    cadence = config.cadence(audience, state.severity)
    last = state.updates.get(audience)
    last_at = last.at if last else None
    resolved = state.milestones.resolved if state.is_resolved else None
    if resolved is not None:
        owed = last_at is None or last_at < resolved
        next_due = resolved + (cadence or timedelta(0)) if owed else None
        return Due(audience, public, cadence, last_at, next_due, now)
    if last is not None and last.next_at is not None:
        return Due(audience, public, cadence, last_at, last.next_at, now)
    start = last_at or state.milestones.detected or state.meta.opened_at
    next_due = start + cadence if cadence is not None else None
    return Due(audience, public, cadence, last_at, next_due, now)
