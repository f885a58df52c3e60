"""The incident as a Mermaid `gantt` picture that GitHub and GitLab render inside Markdown.

Phases detection → mitigation → resolution are bars (and, after a relapse, each window of customer
impact); milestones and key decisions are diamonds.
User text reaches the diagram only through `label()`, which keeps letters, digits and a few safe
punctuation marks and always follows a fixed prefix, so no text can end a line, open a comment
(`%%`), start a directive (`section`, `click`, `title` ...) or break the ``` fence around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from incjournal.core.fold import IncidentState

LABEL_LIMIT = 48
MAX_DECISIONS = 12
_SAFE_PUNCT = frozenset(" .,-_'/?!+@")
_DATE = "%Y-%m-%d %H:%M"


def label(text: str, limit: int = LABEL_LIMIT) -> str:
    """Text safe inside a Mermaid gantt task name: no markup, no separators, one line, short."""
    kept = "".join(
        c if (c.isalnum() and c.isprintable()) or c in _SAFE_PUNCT else " " for c in text
    )
    flat = " ".join(kept.split())
    if len(flat) > limit:
        flat = flat[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,.-") + "..."
    return flat or "untitled"


@dataclass(frozen=True)
class Bar:
    name: str
    tag: str  # crit / active / done / milestone
    start: datetime
    end: datetime | None = None  # None: a milestone


def phases(state: IncidentState, end: datetime) -> list[Bar]:
    """Detection (impact until noticed), mitigation, resolution: the bars that have a length."""
    ms = state.milestones
    if ms.started is None:
        return []
    points = [ms.started, ms.detected, ms.mitigated, ms.resolved]
    names = (
        "Detection - impact until noticed",
        "Mitigation - noticed until mitigated",
        "Resolution - mitigated until resolved",
    )
    tags = ("crit", "active", "done")
    bars = []
    for i, name in enumerate(names):
        start, stop = points[i], points[i + 1]
        if start is None:
            break
        ongoing = stop is None
        stop = stop or end
        if stop > start:
            bars.append(Bar(name + (" - ongoing" if ongoing else ""), tags[i], start, stop))
        if ongoing:
            break
    return bars


def impact_bars(state: IncidentState, end: datetime) -> list[Bar]:
    """Each window of customer impact, when there was more than one (a relapse): the phases show
    only the first."""
    windows = state.impact_windows
    if len(windows) < 2:
        return []
    return [
        Bar(f"Window {w.number}" + (" - ongoing" if w.end is None else ""), "crit", w.start, stop)
        for w in windows
        if (stop := w.end or end) > w.start
    ]


def markers(state: IncidentState) -> list[Bar]:
    """Milestones that are known, each IC hand-off and each reopen."""
    ms = state.milestones
    known = [
        ("Impact started", ms.started if ms.started != ms.detected else None),
        ("Detected", ms.detected),
        ("Mitigated", ms.mitigated),
        ("Resolved", ms.resolved),
    ]
    out = [Bar(name, "milestone", when) for name, when in known if when is not None]
    out += [
        Bar(f"IC hand-off to {label(c.person, 24)}", "milestone", c.at)
        for c in state.role_history
        if c.role == "ic" and c.previous
    ]
    previous = None
    for change in state.status_changes:
        if previous == "resolved" and change.state != "resolved":
            out.append(Bar("Reopened", "milestone", change.at))
        previous = change.state
    return sorted(out, key=lambda b: b.start)


def decision_marks(state: IncidentState) -> list[Bar]:
    """Key decisions: every decision, or the first and latest when there are very many."""
    decisions = list(state.decisions)
    if len(decisions) > MAX_DECISIONS:
        half = MAX_DECISIONS // 2
        decisions = decisions[:half] + decisions[-half:]
    return [Bar(f"Decided {label(d.text)}", "milestone", d.at) for d in decisions]


def gantt(state: IncidentState, tz: tzinfo) -> str:
    """The Mermaid source (without the fence) of the incident's picture, times in `tz`."""
    last = state.last_at or state.meta.opened_at
    bars = phases(state, last)
    span = (max((b.end or b.start) for b in bars) - bars[0].start) if bars else timedelta(0)
    axis = "%H:%M" if span <= timedelta(hours=20) else "%b %d %H:%M"
    lines = [
        "gantt",
        f"    title {_title(state)}",
        "    dateFormat YYYY-MM-DD HH:mm",
        f"    axisFormat {axis}",
        "    todayMarker off",
    ]
    sections = (
        ("Phases", "p", bars),
        ("Customers affected", "i", impact_bars(state, last)),
        ("Milestones", "m", markers(state)),
        ("Decisions", "d", decision_marks(state)),
    )
    for title, prefix, items in sections:
        if items:
            lines.append(f"    section {title}")
            lines += [_task(bar, f"{prefix}{n}", tz) for n, bar in enumerate(items, 1)]
    return "\n".join(lines)


def _title(state: IncidentState) -> str:
    peak = state.peak_severity
    sev = f"SEV{peak} " if peak is not None else ""
    return f"{sev}incident - {label(state.title, 60)}"


def _task(bar: Bar, ident: str, tz: tzinfo) -> str:
    start = bar.start.astimezone(tz).strftime(_DATE)
    if bar.end is None:
        return f"    {bar.name} :milestone, {ident}, {start}, 0m"
    end = bar.end.astimezone(tz).strftime(_DATE)
    return f"    {bar.name} :{bar.tag}, {ident}, {start}, {end}"


def fenced(state: IncidentState, tz: tzinfo) -> str:
    """The picture as a ```mermaid block."""
    return f"```mermaid\n{gantt(state, tz)}\n```"
