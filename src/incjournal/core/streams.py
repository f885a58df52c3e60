"""Workstreams of a long incident, worked out from the folded state. Pure: no I/O.

A stream is entries like everything else: `stream` entries open one (with a lead and a goal),
give it a new lead, or close it; any other entry belongs to a stream when its `stream` field
names it. An item (question, hypothesis, risk, action) belongs to the stream of the entry that
raised it, whatever stream its answer or closing entry was written in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from incjournal.core.errors import BadValue
from incjournal.core.fold import IncidentState, Item, fold
from incjournal.core.model import CLOSES, Entry, Kind

OPENED, LEAD, CLOSED = "open", "lead", "closed"
ITEM_KINDS = ("questions", "hypotheses", "risks", "actions")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NO_STREAM = "-"  # `-s -`: this entry belongs to no stream, whatever the current one is
# what stays in view when an incident is shown for one stream: the incident-wide facts
INCIDENT_WIDE = frozenset(
    {Kind.OPEN, Kind.STATUS, Kind.SEVERITY, Kind.ROLE, Kind.MILESTONE, Kind.IMPACT, Kind.UPDATE}
)


@dataclass(frozen=True)
class Stream:
    """One workstream as it stands: who leads it, what it is for, what is open in it."""

    name: str
    lead: str | None
    goal: str
    opened: Entry
    closed: Entry | None
    last: Entry  # the latest entry of the stream (its own entries and closers of its items)
    items: tuple[Item, ...]  # every item raised in the stream, open or closed
    decisions: tuple[Entry, ...]

    @property
    def is_open(self) -> bool:
        return self.closed is None

    def open_items(self, name: str) -> tuple[Item, ...]:
        kind = _ITEM_KIND[name]
        return tuple(i for i in self.items if i.entry.kind is kind and i.is_open)

    @property
    def open_work(self) -> int:
        """How many questions, hypotheses and actions are still open (risks are watched, not
        worked)."""
        return sum(len(self.open_items(n)) for n in ("questions", "hypotheses", "actions"))


_ITEM_KIND = {
    "questions": Kind.QUESTION,
    "hypotheses": Kind.HYPOTHESIS,
    "risks": Kind.RISK,
    "actions": Kind.ACTION,
}


def check_name(name: str) -> str:
    """A stream name as typed, checked: lower-case letters, digits, '-' and '_'."""
    chosen = name.strip().lower()
    if not NAME.match(chosen):
        raise BadValue(
            f"invalid stream name {name!r}: use lower-case letters, digits, '-' or '_' "
            "(up to 40), e.g. ij stream open db-recovery --lead bob"
        )
    return chosen


def streams_of(state: IncidentState) -> tuple[Stream, ...]:
    """Every stream of the incident, in the order they were opened."""
    live = state.live_entries()
    markers: dict[str, list[Entry]] = {}
    for entry in live:
        if entry.kind is Kind.STREAM and entry.stream:
            markers.setdefault(entry.stream, []).append(entry)
    return tuple(_stream(state, live, name, found) for name, found in markers.items())


def _stream(
    state: IncidentState, live: tuple[Entry, ...], name: str, markers: list[Entry]
) -> Stream:
    lead, goal, opened, closed = None, "", markers[0], None
    for marker in markers:
        if marker.state == OPENED:
            opened, closed = (opened if closed is None else marker), None
            goal = marker.text or goal
        elif marker.state == CLOSED:
            closed = marker
        lead = marker.person or lead
    items = tuple(i for n in ITEM_KINDS for i in getattr(state, n) if i.entry.stream == name)
    own = member_ids(live, name)
    return Stream(
        name=name,
        lead=lead,
        goal=goal,
        opened=opened,
        closed=closed,
        last=max((e for e in live if e.id in own), key=Entry.sort_key),
        items=tuple(sorted(items, key=lambda i: i.entry.sort_key())),
        decisions=tuple(d for d in state.decisions if d.stream == name),
    )


def member_ids(entries: Iterable[Entry], name: str) -> set[str]:
    """Ids of the entries of stream `name`: written in it, or closing or correcting one that was.
    `entries` in fold order (as a state holds them)."""
    ordered = tuple(entries)
    own = {e.id for e in ordered if e.stream == name}
    for entry in ordered:
        if entry.ref in own and (entry.kind in CLOSES or entry.kind in (Kind.AMEND, Kind.STRIKE)):
            own.add(entry.id)
    return own


def find(state: IncidentState, name: str) -> Stream:
    """The stream `name`; BadValue naming the streams there are when there is none."""
    chosen = check_name(name)
    for stream in streams_of(state):
        if stream.name == chosen:
            return stream
    known = ", ".join(s.name for s in streams_of(state)) or "none yet"
    raise BadValue(
        f"no stream {chosen!r} in {state.id} (streams: {known}): "
        f"ij stream open {chosen} --lead PERSON"
    )


def check_open(state: IncidentState, name: str) -> Stream:
    """The stream `name`, which must be open (entries are written into open streams only)."""
    stream = find(state, name)
    if not stream.is_open:
        raise BadValue(
            f"stream {stream.name!r} was closed: reopen it with ij stream open {stream.name}"
        )
    return stream


def stream_state(state: IncidentState, name: str) -> IncidentState:
    """The incident as seen from one stream: its own entries plus the incident-wide facts
    (status, severity, roles, milestones, impact, updates)."""
    find(state, name)
    own = member_ids(state.entries, name)
    kept = [e for e in state.entries if e.id in own or e.kind in INCIDENT_WIDE]
    return fold(state.meta, kept)


def idle_since(stream: Stream) -> datetime:
    """When the stream last had an entry."""
    return stream.last.at
