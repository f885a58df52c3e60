"""Milestones and TTD / TTM / TTR as people read them: where each time came from, reopen history.

Shared by the hand-off brief and the post-incident review. Unknown values are "—", never invented.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from incjournal.core.fold import RESOLVED_STATE, IncidentState, Milestones
from incjournal.core.impact import ImpactWindow
from incjournal.core.model import Entry
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


_COUNTS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def open_for(state: IncidentState, now: datetime | None) -> str:
    """How long the incident has been open, from impact start to resolution (or to `now`):
    'open for 3h 51m'. Not how long customers were affected: see `impact_summary`."""
    ms = state.milestones
    end = ms.resolved or now or state.last_at
    if ms.started is None or end is None:
        return "open for —"
    return f"open for {precise(end - ms.started)}"


def window_span(window: ImpactWindow, tz: tzinfo, day: date | None) -> str:
    """'09:12–09:39', '11:02–now'; a date before a time not on `day` (the reader's today), and
    on an end that is not on the start's day."""
    start = window.start.astimezone(tz)
    first = start.strftime("%H:%M" if start.date() == day else "%Y-%m-%d %H:%M")
    if window.end is None:
        return f"{first}–now"
    end = window.end.astimezone(tz)
    return f"{first}–{end.strftime('%H:%M' if end.date() == start.date() else '%Y-%m-%d %H:%M')}"


def window_spans(state: IncidentState, tz: tzinfo, now: datetime | None) -> tuple[str, ...]:
    """Each impact window as `window_span` gives it: the first dated unless on `now`'s day, each
    later one unless on the day of the one before."""
    day = now.astimezone(tz).date() if now is not None else None
    spans = []
    for window in state.impact_windows:
        spans.append(window_span(window, tz, day))
        day = window.start.astimezone(tz).date()
    return tuple(spans)


def impact_total(state: IncidentState, now: datetime | None) -> str:
    """Customer impact added up over its windows: '30m', '27m so far'; '—' when not known."""
    end = now or state.milestones.resolved or state.last_at
    if not state.impact_windows or end is None:
        return "—"
    total = precise(state.impact_length(end))
    return f"{total} so far" if state.customers_affected else total


def impact_summary(state: IncidentState, tz: tzinfo, now: datetime | None) -> str:
    """'customers affected 30m in two windows: 09:12–09:39, 11:02–11:05 (UTC)': each impact
    window and the total, apart from how long the incident is open."""
    windows = state.impact_windows
    if not windows:
        return "customer impact: not known"
    spans = impact_times(state, tz, now)
    count = "" if len(windows) == 1 else f" in {_COUNTS.get(len(windows), len(windows))} windows"
    verb = "customers affected" if state.customers_affected else "customers were affected"
    return f"{verb} {impact_total(state, now)}{count}: {spans}"


def impact_times(state: IncidentState, tz: tzinfo, now: datetime | None) -> str:
    """'09:12–09:39, 11:02–11:05 UTC': the impact windows, the zone named once."""
    windows = state.impact_windows
    if not windows:
        return "—"
    zone = (now or windows[0].start).astimezone(tz).strftime("%Z")
    return ", ".join(window_spans(state, tz, now)) + f" {zone}"


def impact_rows(state: IncidentState, tz: tzinfo, now: datetime | None) -> list[str]:
    """A Markdown table of the impact windows: window, from, to, how long."""
    rows = ["| impact window | from | to | lasted |", "|---|---|---|---|"]
    end = now or state.milestones.resolved or state.last_at
    for w in state.impact_windows:
        lasted = precise(w.length(end)) if end is not None else "—"
        to = show(w.end, tz) if w.end is not None else "ongoing"
        rows.append(f"| {w.number} | {show(w.start, tz)} | {to} | {lasted} |")
    return rows
