"""Workstreams in every render: `ij stream list`, `ij show`, the briefs, hand-off, review, digest.

Each stream is shown with its lead, goal, open questions / hypotheses / actions / risks, and its
last entry with its age ("is anyone stuck?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from incjournal.core.fold import IncidentState, Item
from incjournal.core.streams import ITEM_KINDS, Stream, streams_of
from incjournal.core.times import human_duration, show, to_rfc3339
from incjournal.render.labels import name_of, plural
from incjournal.render.text import inline

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WORDS = {
    "questions": ("question", "questions"),
    "hypotheses": ("hypothesis", "hypotheses"),
    "actions": ("action", "actions"),
    "risks": ("risk", "risks"),
}
_TAGS = {"hypotheses": "hypothesis", "questions": "question", "actions": "action", "risks": "risk"}


def flat(text: str) -> str:
    """User text as one terminal-safe line: whitespace folded, control characters dropped."""
    return _CONTROL.sub("", " ".join(text.split()))


def open_counts(stream: Stream) -> str:
    """'2 questions, 1 action open', or 'nothing open'."""
    parts = [
        plural(len(stream.open_items(name)), *_WORDS[name])
        for name in ("questions", "hypotheses", "actions", "risks")
        if stream.open_items(name)
    ]
    return f"{', '.join(parts)} open" if parts else "nothing open"


def last_words(stream: Stream, tz: tzinfo, now: datetime) -> str:
    """'last entry 10:42 (12m ago)'."""
    at = stream.last.at
    return f"last entry {show(at, tz, date=False)} ({human_duration(now - at)} ago)"


def lead_words(stream: Stream) -> str:
    return f"lead: {name_of(stream.lead)}" if stream.lead else "no lead"


def stream_row(stream: Stream, tz: tzinfo, now: datetime) -> str:
    """One plain line for `ij stream list`."""
    if stream.closed is not None:
        state = f"closed {show(stream.closed.at, tz, date=False)}"
    else:
        state = f"{open_counts(stream)} · {last_words(stream, tz, now)}"
    goal = f" — {flat(stream.goal)}" if stream.goal.strip() else ""
    return f"{stream.name}  {flat(lead_words(stream))} · {state}{goal}"


def stream_json(stream: Stream) -> dict[str, Any]:
    return {
        "name": stream.name,
        "lead": stream.lead,
        "goal": stream.goal,
        "open": stream.is_open,
        "opened_at": to_rfc3339(stream.opened.at),
        "closed_at": to_rfc3339(stream.closed.at) if stream.closed else None,
        "last_entry_at": to_rfc3339(stream.last.at),
        "open_items": {name: [i.entry.id for i in stream.open_items(name)] for name in ITEM_KINDS},
    }


def rollup(stream: Stream, tz: tzinfo, now: datetime) -> str:
    """One Markdown line per stream, for exec, engineering and the hand-off."""
    goal = f": {inline(stream.goal)}" if stream.goal.strip() else ""
    if stream.closed is not None:
        ended = f" — {inline(stream.closed.text)}" if stream.closed.text.strip() else ""
        return f"**{stream.name}**{goal} — closed {show(stream.closed.at, tz, date=False)}{ended}"
    return (
        f"**{stream.name}** ({inline(lead_words(stream))}){goal} — "
        f"{open_counts(stream)}; {last_words(stream, tz, now)}"
    )


def page_lines(state: IncidentState, tz: tzinfo, now: datetime) -> list[str]:
    """The `ij show` / incident page section: open streams with their open items."""
    lines: list[str] = []
    found = streams_of(state)
    for stream in found:
        if not stream.is_open:
            continue
        lines += ["", f"### {stream.name}", "", f"- {rollup(stream, tz, now)}"]
        lines += [_item_line(name, item) for name in ITEM_KINDS for item in stream.open_items(name)]
    closed = [s.name for s in found if not s.is_open]
    if closed:
        lines += ["", f"_Closed streams: {', '.join(closed)}._"]
    return lines


def _item_line(name: str, item: Item) -> str:
    entry = item.entry
    owner = f" — owner: {inline(entry.owner)}" if entry.owner else ""
    return f"  - {_TAGS[name]} `{entry.id[:6]}` {inline(entry.text)}{owner}"


def unstreamed(items: tuple[Item, ...]) -> tuple[Item, ...]:
    """The items that belong to no stream (shown in the incident-wide lists)."""
    return tuple(i for i in items if not i.entry.stream)


def handoff_lines(state: IncidentState, tz: tzinfo, now: datetime) -> list[str]:
    """Streams and their leads, for the incoming IC."""
    return [f"- {rollup(s, tz, now)}" for s in streams_of(state)]


def review_lines(state: IncidentState, tz: tzinfo) -> list[str]:
    """A part per stream: lead(s), goal, when it ran, what it decided, found and did."""
    out: list[str] = []
    for stream in streams_of(state):
        out += ["", f"### Stream: {stream.name}", "", *_review_facts(stream, tz)]
        for decision in stream.decisions:
            why = f" — because {inline(decision.why)}" if decision.why else ""
            out.append(
                f"- Decided {show(decision.at, tz, date=False)}: {inline(decision.text)}{why}"
            )
        for item in stream.items:
            out.append(f"- {_outcome(item)}: {inline(item.entry.text)}")
    return out[1:]


def _review_facts(stream: Stream, tz: tzinfo) -> list[str]:
    ended = show(stream.closed.at, tz) if stream.closed else "still open"
    lines = [
        f"- **Lead:** {inline(name_of(stream.lead)) if stream.lead else 'none named'}",
        f"- **Goal:** {inline(stream.goal) if stream.goal.strip() else '—'}",
        f"- **Ran:** {show(stream.opened.at, tz)} to {ended}",
    ]
    if stream.closed is not None and stream.closed.text.strip():
        lines.append(f"- **Outcome:** {inline(stream.closed.text)}")
    return lines


def _outcome(item: Item) -> str:
    kind = _TAGS.get(_plural_of(item), "item").capitalize()
    closer = item.closed_by
    if closer is None:
        return f"{kind} (open)"
    verb = {"answer": "answered", "confirm": "confirmed", "rule-out": "ruled out"}
    return f"{kind} ({verb.get(str(closer.kind), str(closer.kind))})"


def _plural_of(item: Item) -> str:
    return {"question": "questions", "hypothesis": "hypotheses", "risk": "risks"}.get(
        str(item.entry.kind), "actions"
    )


@dataclass(frozen=True)
class StreamView:
    """One stream as the brief templates see it (internal audiences only)."""

    name: str
    lead: str | None
    goal: str
    open: bool
    summary: str  # open counts, or when it closed
    last: str  # 'last entry 10:42 (12m ago)'
    items: tuple[str, ...]  # 'question: text (owner)' for each open item


def stream_views(state: IncidentState, tz: tzinfo, now: datetime) -> tuple[StreamView, ...]:
    return tuple(_view(s, tz, now) for s in streams_of(state))


def _view(stream: Stream, tz: tzinfo, now: datetime) -> StreamView:
    items = tuple(
        f"{_TAGS[name]}: {item.entry.text}" + (f" ({item.entry.owner})" if item.entry.owner else "")
        for name in ITEM_KINDS
        for item in stream.open_items(name)
    )
    summary = (
        open_counts(stream)
        if stream.is_open
        else f"closed {show(stream.closed.at if stream.closed else None, tz, date=False)}"
    )
    return StreamView(
        name=stream.name,
        lead=name_of(stream.lead) if stream.lead else None,
        goal=stream.goal,
        open=stream.is_open,
        summary=summary,
        last=last_words(stream, tz, now),
        items=items,
    )
