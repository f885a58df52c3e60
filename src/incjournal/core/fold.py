"""The pure fold: an incident's entries -> its state. No I/O; nothing else stores state.

Entries are applied in `at` order (ties: `recorded_at`, then id). Corrections come first:
an `amend` replaces the text of the entry it refers to, a `strike` removes that entry from the
state (the review still shows both). `Folder` is the mutable accumulator, so a cache can apply one
new entry to a folded state instead of refolding the whole history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from incjournal.core.corrections import settle
from incjournal.core.impact import MITIGATED_STATE as MITIGATED_STATE
from incjournal.core.impact import MITIGATING, ImpactWindow, Span, impact_windows
from incjournal.core.impact import RESOLVED_STATE as RESOLVED_STATE
from incjournal.core.impact import Milestones as Milestones
from incjournal.core.items import Item as Item
from incjournal.core.items import swapped
from incjournal.core.model import CLOSES, Entry, IncidentMeta, Kind

INVESTIGATING = "investigating"


@dataclass(frozen=True)
class RoleChange:
    at: datetime
    role: str
    person: str
    previous: str | None
    entry_id: str


@dataclass(frozen=True)
class IncidentState:
    meta: IncidentMeta
    status: str = INVESTIGATING
    severity: int | None = None
    peak_severity: int | None = None  # the worst (lowest-numbered) severity it ever had
    roles: Mapping[str, str] = field(default_factory=dict)
    role_history: tuple[RoleChange, ...] = ()
    impact: Entry | None = None
    questions: tuple[Item, ...] = ()
    hypotheses: tuple[Item, ...] = ()
    risks: tuple[Item, ...] = ()
    actions: tuple[Item, ...] = ()
    decisions: tuple[Entry, ...] = ()
    status_changes: tuple[Entry, ...] = ()
    severity_changes: tuple[Entry, ...] = ()
    updates: Mapping[str, Entry] = field(default_factory=dict)
    milestones: Milestones = Milestones()
    impact_windows: tuple[ImpactWindow, ...] = ()
    reopened: bool = False
    entries: tuple[Entry, ...] = ()
    originals: Mapping[str, Entry] = field(default_factory=dict)
    amendments: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
    struck: Mapping[str, Entry] = field(default_factory=dict)
    snoozes: Mapping[str, datetime] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def is_resolved(self) -> bool:
        return self.status == RESOLVED_STATE

    @property
    def last_at(self) -> datetime | None:
        return self.entries[-1].at if self.entries else None

    @property
    def participants(self) -> tuple[str, ...]:
        seen = dict.fromkeys([e.author for e in self.entries] + list(self.roles.values()))
        return tuple(seen)

    @property
    def causes(self) -> tuple[Item, ...]:
        """Every confirmed hypothesis (each a contributing cause), in the order confirmed."""
        confirmed = [h for h in self.hypotheses if h.outcome == "confirm"]
        return tuple(sorted(confirmed, key=lambda h: h.answers[0].sort_key()))

    def impact_length(self, now: datetime) -> timedelta:
        """Customer impact in total: the impact windows added up (an open one until `now`)."""
        return sum((w.length(now) for w in self.impact_windows), timedelta(0))

    @property
    def customers_affected(self) -> bool:
        """Whether an impact window is still open."""
        return bool(self.impact_windows) and self.impact_windows[-1].end is None

    def item(self, entry_id: str) -> Item | None:
        """The question, hypothesis, risk or action the entry `entry_id` raised, if any."""
        for items in (self.questions, self.hypotheses, self.risks, self.actions):
            for item in items:
                if item.entry.id == entry_id:
                    return item
        return None

    def open_items(self, name: str) -> tuple[Item, ...]:
        items: tuple[Item, ...] = getattr(self, name)
        return tuple(i for i in items if i.closed_by is None)  # is_open, without a call per item

    def live_entries(self) -> tuple[Entry, ...]:
        """Entries in the corrected view: struck ones left out, corrections themselves too.

        Worked out once per state (a brief asks several times; the state never changes)."""
        live: tuple[Entry, ...] | None = self.__dict__.get("_live")
        if live is None:
            struck, fixes = self.struck, (Kind.AMEND, Kind.STRIKE)
            live = tuple(e for e in self.entries if e.id not in struck and e.kind not in fixes)
            self.__dict__["_live"] = live
        return live

    def state_at(self, when: datetime) -> IncidentState:
        """The state as it was known at `when` (what was open when a decision was taken)."""
        return fold(self.meta, [e for e in self.entries if e.at <= when])

    def known_at(self, when: datetime) -> IncidentState:
        """The journal as it stood at `when`: only the entries recorded by then, whatever time
        they give (what we knew then, for a review free of hindsight)."""
        return fold(self.meta, [e for e in self.entries if e.recorded_at <= when])

    def states_at(self, whens: Iterable[datetime]) -> Iterator[IncidentState]:
        """`self.state_at(w)` for each of `whens`, lazily (the review asks it for every decision):
        one Folder walks forward, starting over when a time goes back, a strike hits an applied
        entry, or a correction is in a chain."""
        fixes = [e for e in self.entries if e.kind in (Kind.AMEND, Kind.STRIKE)]
        ids, corrected = {e.id for e in fixes}, {e.ref for e in fixes}  # chains: fold anew
        folder, applied, noted, done = Folder(self.meta), 0, 0, set[str]()
        last: datetime | None = None
        for when in whens:
            if last is not None and when < last:
                folder, applied, noted, done = Folder(self.meta), 0, 0, set()
            last = when
            due = [c for c in fixes[noted:] if c.at <= when]
            if any(
                (c.kind is Kind.STRIKE and c.ref in done) or c.ref in ids or c.id in corrected
                for c in due
            ):
                folder, applied, done = Folder(self.meta, fixes[: noted + len(due)]), 0, set()
            else:
                for fix in due:
                    folder._note_correction(fix)
                    if fix.ref in done:
                        folder._reamend(fix.ref)
            noted += len(due)
            while applied < len(self.entries) and self.entries[applied].at <= when:
                folder.apply(self.entries[applied])
                done.add(self.entries[applied].id)
                applied += 1
            yield folder.freeze()


class Folder:
    """Mutable accumulator of the fold; `freeze()` gives the IncidentState."""

    def __init__(self, meta: IncidentMeta, corrections: Iterable[Entry] = ()) -> None:
        self.meta = meta
        self.status = INVESTIGATING
        self.severity: int | None = None
        self.peak_severity: int | None = None
        self.roles: dict[str, str] = {}
        self.role_history: list[RoleChange] = []
        self.impact: Entry | None = None
        self.items: dict[Kind, dict[str, Item]] = {
            k: {} for k in (Kind.QUESTION, Kind.HYPOTHESIS, Kind.RISK, Kind.ACTION)
        }
        self.decisions: list[Entry] = []
        self.status_changes: list[Entry] = []
        self.severity_changes: list[Entry] = []
        self.updates: dict[str, Entry] = {}
        self.marks: dict[str, datetime] = {}
        self.window_marks: dict[tuple[str, int], datetime] = {}
        self.impact_spans: list[Span] = [(None, None)]
        self.open_at: datetime | None = None
        self.first_monitoring: datetime | None = None
        self.resolved_at: datetime | None = None
        self.reopened = False
        self.entries: list[Entry] = []
        self.originals: dict[str, Entry] = {}
        self.amendments: dict[str, list[Entry]] = {}
        self.struck: dict[str, Entry] = {}
        self.snoozes: dict[str, datetime] = {}
        for correction in sorted(corrections, key=Entry.sort_key):
            self._note_correction(correction)
        self.struck, self.amendments = settle(self.struck, self.amendments)

    def _note_correction(self, entry: Entry) -> None:
        if entry.ref is None:
            return
        if entry.kind is Kind.AMEND:
            self.amendments.setdefault(entry.ref, []).append(entry)
        elif entry.kind is Kind.STRIKE:
            self.struck[entry.ref] = entry

    def _reamend(self, ref: str) -> None:
        """Give the applied entry `ref` its latest amended text, wherever the state holds it."""
        at = next(i for i in range(len(self.entries) - 1, -1, -1) if self.entries[i].id == ref)
        old = self.entries[at]
        original = self.originals.setdefault(ref, old)
        new = self.entries[at] = dataclasses.replace(original, text=self.amendments[ref][-1].text)

        def swap(entry: Entry) -> Entry:
            return new if entry is old else entry

        for items in self.items.values():
            for key, item in items.items():
                closers = (item.closed_by, *item.later, *item.assignments)
                if item.entry.id == ref or any(e is old for e in closers):
                    items[key] = swapped(item, ref, new, swap)
        self.decisions = [swap(e) for e in self.decisions]
        self.status_changes = [swap(e) for e in self.status_changes]
        self.severity_changes = [swap(e) for e in self.severity_changes]
        self.updates = {k: swap(v) for k, v in self.updates.items()}
        self.impact = swap(self.impact) if self.impact is not None else None

    def accepts(self, entry: Entry) -> bool:
        """Whether `entry` can be applied on top: it sorts after every applied entry and is not a
        correction (an amend or strike changes entries already applied: refold instead)."""
        if entry.kind in (Kind.AMEND, Kind.STRIKE):
            return False
        return not self.entries or entry.sort_key() > self.entries[-1].sort_key()

    def apply(self, entry: Entry) -> None:
        """Apply one entry, which must not sort before any entry already applied."""
        amends = self.amendments.get(entry.id)
        if amends:
            self.originals[entry.id] = entry
            entry = dataclasses.replace(entry, text=amends[-1].text)
        self.entries.append(entry)
        if entry.id in self.struck or entry.kind in (Kind.AMEND, Kind.STRIKE):
            return
        handler = _HANDLERS.get(entry.kind)
        if handler is not None:
            handler(self, entry)

    def _open(self, entry: Entry) -> None:
        self.open_at = self.open_at or entry.at
        if entry.level is not None:
            self._level(entry.level)
        if entry.person:
            self._role(dataclasses.replace(entry, role="ic"))

    def _status(self, entry: Entry) -> None:
        state = entry.state or self.status
        if self.status == RESOLVED_STATE and state != RESOLVED_STATE:
            self.reopened = True  # a reopen clears the resolve time, even an explicit mark
            self.resolved_at = None
            self.marks.pop("resolved", None)
        self._impact_span(entry.at, state in MITIGATING)
        if state == MITIGATED_STATE and self.first_monitoring is None:
            self.first_monitoring = entry.at
        if state == RESOLVED_STATE and self.status != RESOLVED_STATE:
            self.resolved_at = entry.at  # a move to resolved; a repeated `resolved` keeps it
        self.status = state
        self.status_changes.append(entry)

    def _impact_span(self, at: datetime, mitigating: bool) -> None:
        """A mitigation ends the open impact span; a relapse after one opens a new span."""
        start, end = self.impact_spans[-1]
        if end is None and mitigating:
            self.impact_spans = [*self.impact_spans[:-1], (start, at)]
        elif end is not None and not mitigating:
            self.impact_spans = [*self.impact_spans, (at, None)]

    def _severity(self, entry: Entry) -> None:
        self._level(entry.level)
        self.severity_changes.append(entry)

    def _level(self, level: int | None) -> None:
        self.severity = level
        if level is not None and (self.peak_severity is None or level < self.peak_severity):
            self.peak_severity = level

    def _role(self, entry: Entry) -> None:
        if not entry.role or not entry.person:
            return
        previous = self.roles.get(entry.role)
        self.roles[entry.role] = entry.person
        self.role_history.append(RoleChange(entry.at, entry.role, entry.person, previous, entry.id))

    def _item(self, entry: Entry) -> None:
        self.items[entry.kind][entry.id] = Item(entry)

    def _close(self, entry: Entry) -> None:
        for kind in CLOSES[entry.kind]:
            item = self.items[kind].get(entry.ref or "")
            if item is None:
                continue
            if item.closed_by is None:
                item = dataclasses.replace(item, closed_by=entry)
            elif entry.kind is Kind.ANSWER:  # a further answer: kept, the first still closes it
                item = dataclasses.replace(item, later=(*item.later, entry))
            self.items[kind][item.entry.id] = item

    def _assign(self, entry: Entry) -> None:
        """A new owner and/or due time for an open item: the item carries them from now on."""
        for items in self.items.values():
            item = items.get(entry.ref or "")
            if item is not None:
                current = dataclasses.replace(
                    item.entry,
                    owner=entry.owner or item.entry.owner,
                    due=entry.due or item.entry.due,
                )
                items[item.entry.id] = dataclasses.replace(
                    item, entry=current, assignments=(*item.assignments, entry)
                )

    def _record(self, entry: Entry) -> None:
        if entry.kind is Kind.DECISION:
            self.decisions.append(entry)
        elif entry.kind is Kind.IMPACT:
            self.impact = entry
        elif entry.kind is Kind.UPDATE and entry.audience:
            self.updates[entry.audience] = entry
        elif entry.kind is Kind.MILESTONE and entry.milestone:
            if entry.window is not None and entry.window > 1:
                self.window_marks[(entry.milestone, entry.window)] = entry.at
            else:
                self.marks[entry.milestone] = entry.at
        elif entry.kind is Kind.SNOOZE and entry.nudge and entry.until:
            self.snoozes[entry.nudge] = entry.until

    def milestones(self) -> Milestones:
        detected = self.marks.get("detected", self.open_at)
        started = self.marks.get("started", detected)
        resolved = self.marks.get("resolved", self.resolved_at)
        if self.status != RESOLVED_STATE and "resolved" not in self.marks:
            resolved = None
        mitigated = self.marks.get("mitigated", self.first_monitoring or resolved)
        return Milestones(started, detected, mitigated, resolved, frozenset(self.marks))

    def freeze(self) -> IncidentState:
        items = {k: tuple(v.values()) for k, v in self.items.items()}
        milestones = self.milestones()
        return IncidentState(
            meta=self.meta,
            status=self.status,
            severity=self.severity,
            peak_severity=self.peak_severity,
            roles=dict(self.roles),
            role_history=tuple(self.role_history),
            impact=self.impact,
            questions=items[Kind.QUESTION],
            hypotheses=items[Kind.HYPOTHESIS],
            risks=items[Kind.RISK],
            actions=items[Kind.ACTION],
            decisions=tuple(self.decisions),
            status_changes=tuple(self.status_changes),
            severity_changes=tuple(self.severity_changes),
            updates=dict(self.updates),
            milestones=milestones,
            impact_windows=impact_windows(milestones, self.impact_spans, self.window_marks),
            reopened=self.reopened,
            entries=tuple(self.entries),
            originals=dict(self.originals),
            amendments={k: tuple(v) for k, v in self.amendments.items()},
            struck=dict(self.struck),
            snoozes=dict(self.snoozes),
        )


_HANDLERS = {
    Kind.OPEN: Folder._open,
    Kind.STATUS: Folder._status,
    Kind.SEVERITY: Folder._severity,
    Kind.ROLE: Folder._role,
    Kind.QUESTION: Folder._item,
    Kind.HYPOTHESIS: Folder._item,
    Kind.RISK: Folder._item,
    Kind.ACTION: Folder._item,
    **dict.fromkeys(CLOSES, Folder._close),
    Kind.ASSIGN: Folder._assign,
    **dict.fromkeys(
        (Kind.DECISION, Kind.IMPACT, Kind.UPDATE, Kind.MILESTONE, Kind.SNOOZE), Folder._record
    ),
}


def fold(meta: IncidentMeta, entries: Iterable[Entry]) -> IncidentState:
    """The state of an incident: a pure function of its creation facts and entries."""
    return fold_folder(meta, entries).freeze()


def fold_folder(meta: IncidentMeta, entries: Iterable[Entry]) -> Folder:
    """The accumulator after applying `entries` in order (what a cache keeps and extends)."""
    ordered = sorted(entries, key=Entry.sort_key)
    folder = Folder(meta, [e for e in ordered if e.kind in (Kind.AMEND, Kind.STRIKE)])
    for entry in ordered:
        folder.apply(entry)
    return folder
