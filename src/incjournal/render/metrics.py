"""Milestones and TTD / TTM / TTR as people read them: where each time came from, reopen history.

Shared by the hand-off brief and the post-incident review. Unknown values are "—", never invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from incjournal.core.fold import RESOLVED_STATE, IncidentState, Milestones
from incjournal.core.model import Entry, Kind
from incjournal.core.times import human_duration, show
from incjournal.render.labels import times, when


def precise(delta: timedelta | None) -> str:
    """Like `human_duration`, to the minute past a day: '1d 0h 48m', '3h 05m', '28m'; '—'."""
    if delta is None or abs(delta) < timedelta(days=1):
        return human_duration(delta)
    sign, seconds = (
        ("-", -int(delta.total_seconds()))
        if delta < timedelta(0)
        else ("", int(delta.total_seconds()))
    )
    days, rest = divmod(seconds, 86400)
    return f"{sign}{days}d {rest // 3600}h {rest % 3600 // 60:02d}m"


def peak_severity(state: IncidentState) -> int | None:
    """The worst (lowest-numbered) severity the incident ever had."""
    levels = [e.level for e in state.entries if e.kind is Kind.OPEN and e.level is not None]
    levels += [e.level for e in state.severity_changes if e.level is not None]
    return min(levels) if levels else None


def metrics_line(ms: Milestones) -> str:
    """'TTD 12m · TTM 3h 20m · TTR 1d 2h 05m' ("—" for what is not known)."""
    return " · ".join(
        f"{name} {precise(value)}"
        for name, value in (("TTD", ms.ttd), ("TTM", ms.ttm), ("TTR", ms.ttr))
    )


def source(state: IncidentState, name: str) -> str:
    """How a milestone's time was found: marked, or which default rule gave it."""
    ms = state.milestones
    if getattr(ms, name) is None:
        return "not known yet" if name != "started" else "not known"
    if name in ms.explicit:
        return "marked (`ij mark`)"
    first_monitoring = next((e.at for e in state.status_changes if e.state == "monitoring"), None)
    return {
        "started": "not marked: taken as the detection time",
        "detected": "when the incident was opened",
        "mitigated": "first move to monitoring"
        if first_monitoring == ms.mitigated
        else "resolved without monitoring: the resolve time",
        "resolved": "last move to resolved",
    }[name]


def milestone_rows(state: IncidentState, tz: tzinfo) -> list[str]:
    """A Markdown table: milestone, time, metric, where the time came from."""
    ms = state.milestones
    metric = {
        "detected": ("TTD", ms.ttd),
        "mitigated": ("TTM", ms.ttm),
        "resolved": ("TTR", ms.ttr),
    }
    rows = ["| milestone | time | since impact start | how it was set |", "|---|---|---|---|"]
    for name in ("started", "detected", "mitigated", "resolved"):
        label, value = metric.get(name, ("", None))
        since = f"{label} {precise(value)}" if label else "—"
        when = show(getattr(ms, name), tz)
        rows.append(f"| {name} | {when} | {since} | {source(state, name)} |")
    return rows


def reopens(state: IncidentState) -> list[tuple[Entry, Entry]]:
    """(resolve, reopen) pairs: each time the status left `resolved` again."""
    pairs = []
    last_resolve: Entry | None = None
    for change in state.status_changes:
        if change.state == RESOLVED_STATE:
            last_resolve = last_resolve or change
        elif last_resolve is not None:
            pairs.append((last_resolve, change))
            last_resolve = None
    return pairs


def reopen_note(state: IncidentState, tz: tzinfo) -> str | None:
    """One sentence on each reopen, and that TTR counts to the final resolve."""
    pairs = reopens(state)
    if not pairs:
        return None
    told = "; ".join(
        f"resolved {when(done.at, tz)}, reopened {when(again.at, tz)} (→ {again.state})"
        for done, again in pairs
    )
    count = times(len(pairs))
    tail = (
        "TTR counts to the final resolve."
        if state.is_resolved
        else "It is not resolved now, so TTR is not known."
    )
    return f"**Reopened {count}:** {told}. {tail}"


def duration(state: IncidentState, now: datetime | None) -> str:
    """From impact start to resolution, or to `now` (or the last entry) while still open."""
    ms = state.milestones
    end = ms.resolved or now or state.last_at
    if ms.started is None or end is None:
        return "—"
    text = precise(end - ms.started)
    return text if ms.resolved else f"{text} so far"
