"""Practice nudges: what a seasoned incident commander would point out, from state and clock.

`compute()` is a pure function of (folded state, config, now). Each rule looks at one habit of
good incident practice (an IC, updates on a cadence, mitigate first, hypotheses that move, work
with owners, a current impact statement, public text that follows the status, a tidy close) and,
when it is not being kept, yields a `Nudge`: a stable id, a level, the entries concerned and a
calm suggestion.

Thresholds come from `[nudges]` in incjournal.toml; each is a duration ("20m") or a table per
severity ({1 = "15m", 2 = "30m"}). A snooze entry (`ij snooze ID DURATION`) silences one nudge
id until its `until`; `[nudges] disabled = ["public-stale"]` turns a kind of nudge off.

The rules live beside this module: `response` (while the incident is open), `hypotheses` (which
stopped moving) and `closing` (after resolution, and workstreams); `nudge` holds the `Nudge` and
the context every rule sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState
from incjournal.core.thresholds import thresholds
from incjournal.nudges import closing, hypotheses, response
from incjournal.nudges.hypotheses import touches
from incjournal.nudges.nudge import INFO, LEVELS, URGENT, WARN, Context, Nudge

__all__ = [
    "INFO",
    "LEVELS",
    "URGENT",
    "WARN",
    "Nudge",
    "candidates",
    "compute",
    "snoozed_until",
    "touches",
]

_RULES: tuple[Callable[[Context], Iterator[Nudge]], ...] = (
    response.updates,
    response.no_ic,
    response.mitigate_first,
    response.impact,
    response.public_stale,
    response.overdue_actions,
    response.unowned,
    hypotheses.stale_hypotheses,
    closing.streams,
    closing.after_resolution,
)


def compute(
    state: IncidentState, config: Config, now: datetime, *, review_written: bool = False
) -> list[Nudge]:
    """The nudges that apply at `now`, most pressing first; snoozed ones are left out."""
    return [
        n
        for n in candidates(state, config, now, review_written=review_written)
        if snoozed_until(state, n.id, now) is None
    ]


def candidates(
    state: IncidentState, config: Config, now: datetime, *, review_written: bool = False
) -> list[Nudge]:
    """Every nudge that applies at `now`, snoozed or not (what `ij snooze` may name)."""
    limits = thresholds(config, state.severity)
    ctx = Context(state, config, now, limits, review_written)
    found = [
        n
        for rule in _RULES
        for n in rule(ctx)
        if n.kind not in limits.disabled and n.id not in limits.disabled
    ]
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(found, key=lambda n: order[n.level])


def snoozed_until(state: IncidentState, nudge_id: str, now: datetime) -> datetime | None:
    """When the snooze on `nudge_id` ends, if it is still running at `now`."""
    until = state.snoozes.get(nudge_id)
    return until if until is not None and now < until else None
