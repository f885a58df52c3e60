"""Milestones and customer impact: when impact started, was noticed, mitigated, resolved, and
the windows in which customers were affected (a relapse after mitigation opens a new one).

Pure values computed by the fold (`incjournal.core.fold`); nothing here reads or writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

MITIGATED_STATE = "monitoring"
RESOLVED_STATE = "resolved"


@dataclass(frozen=True)
class Milestones:
    started: datetime | None = None
    detected: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    explicit: frozenset[str] = frozenset()

    def _since_start(self, when: datetime | None) -> timedelta | None:
        return when - self.started if when is not None and self.started is not None else None

    @property
    def ttd(self) -> timedelta | None:
        return self._since_start(self.detected)

    @property
    def ttm(self) -> timedelta | None:
        return self._since_start(self.mitigated)

    @property
    def ttr(self) -> timedelta | None:
        return self._since_start(self.resolved)


MITIGATING = (MITIGATED_STATE, RESOLVED_STATE)  # statuses under which customers are not affected


@dataclass(frozen=True)
class ImpactWindow:
    """A stretch of customer impact: from its start to the mitigation that ended it."""

    number: int
    start: datetime
    end: datetime | None  # None: customers are still affected

    def length(self, now: datetime) -> timedelta:
        """How long it lasted (an open window: until `now`); never negative."""
        end = self.end if self.end is not None else now
        return max(end - self.start, timedelta(0))


Span = tuple[datetime | None, datetime | None]  # (start, end) of customer impact; None: not known


def impact_windows(
    ms: Milestones, spans: Iterable[Span], window_marks: Mapping[tuple[str, int], datetime]
) -> tuple[ImpactWindow, ...]:
    """Customer impact: `started` to the first mitigation, then one window per relapse (a move
    from monitoring or resolved back to another status) to the next mitigation (`spans`, from
    the status changes; the first one's start is `started`). Marks correct a window: `started` /
    `mitigated` with window N set its start / end (N = one past the last adds a window found
    later); without a window number they are window 1's."""
    if ms.started is None:
        return ()
    windows: list[list[datetime | None]] = [list(span) for span in spans]
    windows[0][0] = ms.started
    if "mitigated" in ms.explicit:
        windows[0][1] = ms.mitigated
    starts_first = sorted(window_marks.items(), key=lambda m: (m[0][0] != "started", m[0][1]))
    for (name, number), at in starts_first:
        if name == "started" and number == len(windows) + 1:
            windows.append([at, None])
        elif number <= len(windows):
            windows[number - 1][0 if name == "started" else 1] = at
    return tuple(ImpactWindow(n, start, end) for n, (start, end) in enumerate(windows, 1) if start)
