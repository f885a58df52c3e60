"""The `ij watch` screen as data: lines of styled spans that fit a terminal (80x24 and up).

Pure: the state, config and `now` in, lines out. Styles are names (`title`, `overdue`, ...);
the CLI maps them to colours, so this module never imports rich. The layout, top to bottom:
title with severity/status/duration, roles, impact, the per-audience update countdown, what is
open (hypotheses, questions, risks, actions), the recent timeline, nudges, and a footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from incjournal.core.cadence import Due, due_updates
from incjournal.core.config import Config
from incjournal.core.fold import IncidentState, Item
from incjournal.core.model import Entry
from incjournal.core.times import human_duration, show
from incjournal.render.labels import headline
from incjournal.render.text import first_line

OPEN_KINDS = (("hypotheses", "HYP"), ("questions", "ASK"), ("risks", "RISK"), ("actions", "ACT"))
MIN_RECENT = 3
NUDGE_LINES = 2
ALL_RECENT = 10


@dataclass(frozen=True)
class Span:
    text: str
    style: str = ""


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Screen:
    """What the dashboard shows and how much room it has (height None: no limit)."""

    state: IncidentState
    config: Config
    now: datetime
    height: int | None = 24
    width: int = 80
    nudges: tuple[tuple[str, str], ...] = ()  # (level, text), most pressing first
    problem: str = ""  # e.g. a file that could not be read on the last refresh
    live: bool = True  # a live screen says how to quit


def dashboard_lines(screen: Screen) -> list[Line]:
    """Every line of the screen, at most `screen.height` of them."""
    state, tz, width = screen.state, screen.config.tz, screen.width
    top = [_header(screen), _roles(state), _impact(state, tz)]
    updates = [_heading("Next update", "", width), *_countdown(screen)]
    bottom = _bottom(screen)
    room = None if screen.height is None else screen.height - len(top + updates + bottom) - 2
    opened, recent = _fit(_open_lines(screen), _recent_lines(state, tz), room)
    return [
        *top,
        *updates,
        _open_heading(state, width),
        *opened,
        _heading("Recent", "", width),
        *recent,
        *bottom,
    ]


def _fit(opened: list[Line], recent: list[Line], room: int | None) -> tuple[list[Line], list[Line]]:
    """Share the free rows: open items first, but keep a few recent entries in view."""
    if room is None:
        return opened, recent[-ALL_RECENT:]
    room = max(room, 0)
    keep_recent = min(len(recent), MIN_RECENT, room // 3)
    shown_open = min(len(opened), room - keep_recent)
    shown_recent = min(len(recent), room - shown_open)
    return opened[:shown_open], recent[len(recent) - shown_recent :]


def _header(screen: Screen) -> Line:
    state = screen.state
    ms = state.milestones
    end = ms.resolved or screen.now
    duration = human_duration(end - ms.started) if ms.started else "—"
    sev = f"SEV{state.severity}" if state.severity is not None else "SEV?"
    right = [
        Span(f" {sev} ", f"sev{state.severity}" if state.severity else "dim"),
        Span(" "),
        Span(f" {state.status.upper()} ", f"status-{state.status}"),
        Span(f"  {duration}", "bold"),
    ]
    used = sum(len(s.text) for s in right)
    title = _cut(state.title, max(screen.width - used - 1, 8))
    pad = max(screen.width - used - len(title), 1)
    return (Span(title, "title"), Span(" " * pad), *right)


def _roles(state: IncidentState) -> Line:
    if not state.roles.get("ic"):
        first: Line = (Span("no incident commander: ij role ic NAME", "overdue"),)
    else:
        first = (Span("IC ", "dim"), Span(state.roles["ic"], "bold"))
    others = [(r, p) for r, p in state.roles.items() if r != "ic"]
    rest = [span for r, p in others for span in (Span(f" · {r} ", "dim"), Span(p))]
    return (*first, *rest)


def _impact(state: IncidentState, tz: tzinfo) -> Line:
    if state.impact is None:
        return (Span("Impact ", "dim"), Span("no statement yet: ij impact TEXT", "warn"))
    when = show(state.impact.at, tz, date=False)
    return (
        Span("Impact ", "dim"),
        Span(_flat(first_line(state.impact.text))),
        Span(f" ({when})", "dim"),
    )


def _heading(title: str, detail: str, width: int) -> Line:
    head = f"── {title} "
    tail = f"{detail} " if detail else ""
    rule = "─" * max(width - len(head) - len(tail), 0)
    return (Span(head, "heading"), Span(tail, "dim"), Span(rule, "heading"))


def _countdown(screen: Screen) -> list[Line]:
    """The audiences' clocks, packed into as few lines as the width allows."""
    cells = [
        _clock(d, screen.config.tz) for d in due_updates(screen.state, screen.config, screen.now)
    ]
    lines: list[Line] = []
    current: list[Span] = []
    used = 0
    for cell in cells:
        size = sum(len(s.text) for s in cell) + 3
        if current and used + size > screen.width + 3:
            lines.append(tuple(current[:-1]))
            current, used = [], 0
        current += [*cell, Span("   ")]
        used += size
    if current:
        lines.append(tuple(current[:-1]))
    return lines


def _clock(due: Due, tz: tzinfo) -> list[Span]:
    name = Span(f"{due.audience} ", "public" if due.public else "")
    remaining = due.remaining
    if remaining is None:
        last = f"sent {show(due.last_update, tz, date=False)}" if due.last_update else "—"
        return [name, Span(last, "dim")]
    if remaining < timedelta(0):
        return [name, Span(f"OVERDUE {countdown(-remaining)}", "overdue")]
    return [name, Span(f"in {countdown(remaining)}", due.state)]


def countdown(delta: timedelta) -> str:
    """'4m 05s' under an hour (it ticks), '1h 20m' above."""
    seconds = int(delta.total_seconds())
    if seconds >= 3600:
        return human_duration(delta)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _open_heading(state: IncidentState, width: int) -> Line:
    counts = [(len(state.open_items(name)), name) for name, _ in OPEN_KINDS]
    detail = " · ".join(f"{n} {_singular(name, n)}" for n, name in counts if n)
    return _heading("Open", detail or "nothing open", width)


def _singular(name: str, count: int) -> str:
    if count != 1:
        return name
    return {"hypotheses": "hypothesis"}.get(name, name.removesuffix("s"))


def _open_lines(screen: Screen) -> list[Line]:
    state = screen.state
    return [_item(item, tag, screen) for name, tag in OPEN_KINDS for item in state.open_items(name)]


def _item(item: Item, tag: str, screen: Screen) -> Line:
    entry = item.entry
    extra = []
    if entry.owner:
        extra.append(entry.owner)
    if entry.due:
        extra.append(f"due {_clock_time(entry.due, screen.config.tz, screen.now)}")
    if entry.likelihood or entry.impact:
        extra.append(f"{entry.likelihood or '?'}/{entry.impact or '?'}")
    suffix = f" — {', '.join(extra)}" if extra else ""
    return (
        Span(f"{tag:<4} ", f"tag-{tag.lower()}"),
        Span(f"{entry.id[:6]} ", "id"),
        Span(_flat(first_line(entry.text))),
        Span(suffix, "dim"),
    )


def _recent_lines(state: IncidentState, tz: tzinfo) -> list[Line]:
    return [_recent(entry, tz) for entry in state.live_entries()]


def _recent(entry: Entry, tz: tzinfo) -> Line:
    return (
        Span(f"{show(entry.at, tz, date=False)} ", "dim"),
        Span(f"{entry.kind:<10} ", f"kind-{entry.kind}"),
        Span(_flat(headline(entry))),
        Span(f" — {_name(entry.author)}", "dim"),
    )


def _bottom(screen: Screen) -> list[Line]:
    lines: list[Line] = []
    lines += _nudge_lines(screen.nudges)
    if screen.problem:
        lines.append((Span(_flat(screen.problem), "overdue"),))
    stamp = screen.now.astimezone(screen.config.tz).strftime("%H:%M:%S")
    quit_hint = "Ctrl-C quits · " if screen.live else ""
    footer = f"{quit_hint}{stamp} · {screen.state.id}"
    lines.append((Span(footer, "dim"),))
    return lines


def _clock_time(when: datetime, tz: tzinfo, now: datetime) -> str:
    """'16:00' today, '2026-11-24 10:00 CET' on another day."""
    same_day = when.astimezone(tz).date() == now.astimezone(tz).date()
    return show(when, tz, date=not same_day)


def _nudge_lines(nudges: Sequence[tuple[str, str]]) -> list[Line]:
    """At most NUDGE_LINES lines: the most pressing nudges, then how many more there are."""
    shown = nudges if len(nudges) <= NUDGE_LINES else nudges[: NUDGE_LINES - 1]
    lines: list[Line] = [
        (Span(f"{level.upper():<7}", f"nudge-{level}"), Span(_flat(text))) for level, text in shown
    ]
    if len(nudges) > len(shown):
        lines.append((Span(f"… {len(nudges) - len(shown)} more nudges: ij nudges", "dim"),))
    return lines


def _flat(text: str) -> str:
    return " ".join(text.split())


def _name(author: str) -> str:
    return author.split("<", 1)[0].strip() or author


def _cut(text: str, width: int) -> str:
    flat = _flat(text)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def plain(lines: Sequence[Line]) -> str:
    """The screen as plain text (tests, logs)."""
    return "\n".join("".join(span.text for span in line) for line in lines)
