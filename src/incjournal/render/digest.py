"""`ij digest`: the daily read for long incidents. Per incident: what changed in the period, what
is open (per workstream), the next updates due, and the follow-ups added.

`digests()` returns data; `markdown()` and `to_json()` show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from incjournal.core.cadence import due_updates
from incjournal.core.config import Config
from incjournal.core.fold import IncidentState
from incjournal.core.model import Entry, Kind
from incjournal.core.streams import ITEM_KINDS, streams_of
from incjournal.core.times import show, to_rfc3339
from incjournal.render.context import escape
from incjournal.render.due import due_line, due_view
from incjournal.render.labels import plural
from incjournal.render.since import internal_changes, known_then, news
from incjournal.render.streams import open_counts, rollup, unstreamed

_WORDS = {
    "questions": ("question", "questions"),
    "hypotheses": ("hypothesis", "hypotheses"),
    "actions": ("action", "actions"),
    "risks": ("risk", "risks"),
}


@dataclass(frozen=True)
class Digest:
    """One incident over the period."""

    state: IncidentState
    changes: tuple[str, ...]  # Markdown bullet lines (render.since)
    new_entries: int
    streams: tuple[str, ...]  # Markdown lines: each open stream's roll-up
    loose: str  # what is open outside any stream ('' when nothing)
    dues: tuple[str, ...]  # 'exec: next in 12m (11:00 UTC); last sent 10:30 UTC'
    follow_ups: tuple[Entry, ...]


def digest(state: IncidentState, config: Config, since: datetime, now: datetime) -> Digest:
    new = news(state, since, now)
    tz = config.tz
    dues = [d for d in due_updates(state, config, now) if d.next_due is not None]
    return Digest(
        state=state,
        changes=tuple(internal_changes(state, known_then(state, since), new)),
        new_entries=len(new),
        streams=tuple(rollup(s, tz, now) for s in streams_of(state) if s.is_open),
        loose=_loose(state),
        dues=tuple(due_line(due_view(d, tz, now)) for d in dues),
        follow_ups=tuple(
            e for e in new if e.kind is Kind.ACTION and e.follow_up and e.id not in state.struck
        ),
    )


def _loose(state: IncidentState) -> str:
    parts = [
        plural(len(items), *_WORDS[name])
        for name in ITEM_KINDS
        if (items := unstreamed(state.open_items(name)))
    ]
    return f"{', '.join(parts)} open" if parts else ""


def markdown(digests: list[Digest], since: datetime, tz: tzinfo) -> str:
    lines = [f"# Digest since {show(since, tz)}"]
    if not digests:
        lines += ["", "No incident to report on: `ij digest --all` includes resolved ones."]
    for found in digests:
        lines += ["", *_incident(found, since, tz)]
    return "\n".join(lines) + "\n"


def _incident(found: Digest, since: datetime, tz: tzinfo) -> list[str]:
    state = found.state
    sev = f"SEV{state.severity}" if state.severity is not None else "SEV?"
    lines = [f"## {escape(state.title)} (`{state.id}`) — {sev} · {state.status}", ""]
    lines += [f"**What changed** ({plural(found.new_entries, 'new entry', 'new entries')})", ""]
    lines += list(found.changes) or [f"- No change since {show(since, tz)}."]
    lines += ["", "**What is open**", ""]
    opened = [f"- {line}" for line in found.streams]
    if found.loose:
        opened.append(f"- outside any stream: {found.loose}")
    lines += opened or ["- Nothing."]
    lines += ["", "**Next updates**", ""]
    lines += [f"- {escape(line)}" for line in found.dues] or ["- None owed."]
    if found.follow_ups:
        lines += ["", "**Follow-ups added**", ""]
        lines += [_follow_up(e) for e in found.follow_ups]
    return lines


def _follow_up(entry: Entry) -> str:
    owner = f" — {escape(entry.owner)}" if entry.owner else " — **no owner**"
    return f"- `{entry.id[:6]}` {escape(entry.text)}{owner}"


def to_json(digests: list[Digest], since: datetime) -> dict[str, Any]:
    return {
        "since": to_rfc3339(since),
        "incidents": [_json(d) for d in digests],
    }


def _json(found: Digest) -> dict[str, Any]:
    state = found.state
    return {
        "id": state.id,
        "title": state.title,
        "status": state.status,
        "severity": state.severity,
        "new_entries": found.new_entries,
        "changes": [line.removeprefix("- ").replace("**", "") for line in found.changes],
        "streams": [
            {"name": s.name, "lead": s.lead, "open": open_counts(s)}
            for s in streams_of(state)
            if s.is_open
        ],
        "open_outside_streams": found.loose,
        "next_updates": list(found.dues),
        "follow_ups": [{"id": e.id, "text": e.text, "owner": e.owner} for e in found.follow_ups],
    }
