"""What a brief template sees: plain, ready-to-print views of an incident, built per audience.

Templates never get the state, the journal or the config: they get one of two frozen view
objects. `InternalBrief` (here) is the whole picture for the team's own audiences;
`render.public.PublicBrief` is the reduced view for public-facing ones. Every `{{ }}` output is
Markdown-escaped by `finalize`, except `Md` values, which are Markdown this code built itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from operator import attrgetter
from typing import TYPE_CHECKING, Any, overload

from incjournal.core.cadence import Due, due_updates
from incjournal.core.config import Config
from incjournal.core.fold import MITIGATED_STATE, IncidentState, Item
from incjournal.core.model import Entry, Kind
from incjournal.core.times import human_duration, show
from incjournal.render.evidence import command_summary
from incjournal.render.labels import headline
from incjournal.render.sent import Sent, is_rendered, last_sent
from incjournal.render.text import (
    CONTROL_KEEP_LINES,
    Text,
    extra_lines,
    first_line,
    inline,
    text_block,
)
from incjournal.render.text import (
    Md as Md,  # re-exported: templates' helpers import it from here
)

if TYPE_CHECKING:
    from incjournal.render.streams import StreamView

RECENT = 15
AFFECTS = "affects:"  # tag naming an affected component or region: affects:Checkout


def escape(text: str) -> str:
    """User text as one line of Markdown that cannot start or end a block, link or tag."""
    return inline(text)


def finalize(value: Any) -> str:
    """Jinja's finalize hook: every printed value is escaped unless it is `Md`; a `Text` of
    several lines is shown whole, as a block inside the list item or paragraph it is in."""
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    text = str(value)
    if not isinstance(value, Text) or "\n" not in text.strip():
        return inline(text)
    # what follows on the template's line goes on in the same list item, after the block
    return "\n\n" + text_block(text.strip(), indent="  ") + "\n\n  "


def short(text: Any, limit: int = 140) -> str:
    """Text cut to `limit` characters at a word boundary, with an ellipsis; a text of several
    lines is its first line and "(+N lines)"."""
    flat = " ".join(first_line(str(text or "")).split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def name_of(person: str) -> str:
    """'Alice Example <alice@example.com>' -> 'Alice Example'."""
    return person.split("<", 1)[0].strip() or person.strip()


def clock(when: datetime | None, tz: tzinfo, now: datetime) -> str:
    """'10:42 UTC' today, '2026-11-22 10:42 UTC' on another day; '—' when unknown."""
    if when is None:
        return "—"
    same_day = when.astimezone(tz).date() == now.astimezone(tz).date()
    return when.astimezone(tz).strftime("%H:%M %Z") if same_day else show(when, tz)


def words(delta: timedelta) -> str:
    """A cadence in words: '15 minutes', '1 hour', '2 hours 30 minutes'."""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, mins = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    parts += [f"{mins} minute{'s' if mins != 1 else ''}"] if mins else []
    return " ".join(parts)


def as_of(state: IncidentState) -> datetime:
    """When the journal last changed: the latest recorded entry (derived files use it as 'now')."""
    times = [e.recorded_at for e in state.entries]
    return max(times) if times else state.meta.opened_at


@dataclass(frozen=True)
class NextUpdate:
    """When this audience hears from us next, if the update being prepared goes out now."""

    final: bool
    at: str
    every: str


def next_update(state: IncidentState, config: Config, audience: str, now: datetime) -> NextUpdate:
    if state.is_resolved:
        return NextUpdate(True, "", "")
    cadence = config.cadence(audience, state.severity)
    if cadence is None:
        return NextUpdate(False, "", "")
    return NextUpdate(False, clock(now + cadence, config.tz, now), words(cadence))


@dataclass(frozen=True)
class DueView:
    """An audience's cadence clock: 'overdue', 'due', 'ok' or 'none'."""

    audience: str
    public: bool
    state: str
    at: str
    phrase: str
    last: str


def due_phrase(due: Due) -> str:
    """'in 8m', '5m overdue', 'no update owed'."""
    remaining = due.remaining
    if remaining is None:
        return "no update owed"
    if remaining < timedelta(0):
        return f"{human_duration(-remaining)} overdue"
    return f"in {human_duration(remaining)}"


def due_line(due: DueView) -> str:
    """'exec: next in 7m (11:15 UTC); last sent 11:00 UTC', 'public: OVERDUE by 5m (…)'."""
    public = " (public)" if due.public else ""
    last = f"last sent {due.last}" if due.last != "—" else "none sent yet"
    if due.state == "overdue":
        return f"{due.audience}{public}: OVERDUE, {due.phrase} (was due {due.at}); {last}"
    word = "due" if due.state == "due" else "next"
    return f"{due.audience}{public}: {word} {due.phrase} ({due.at}); {last}"


def due_view(due: Due, tz: tzinfo, now: datetime) -> DueView:
    return DueView(
        due.audience,
        due.public,
        due.state,
        clock(due.next_due, tz, now),
        due_phrase(due),
        clock(due.last_update, tz, now),
    )


def due_views(state: IncidentState, config: Config, now: datetime) -> tuple[DueView, ...]:
    return tuple(due_view(d, config.tz, now) for d in due_updates(state, config, now))


@dataclass(frozen=True)
class EntryView:
    """One entry as internal templates see it (times already in the journal's zone)."""

    id: str
    kind: str
    at: str
    text: str
    headline: str
    author: str
    owner: str | None = None
    due: str | None = None
    why: str | None = None
    tags: tuple[str, ...] = ()
    public: bool = False
    likelihood: str | None = None
    impact: str | None = None
    outcome: str = ""
    closed_text: str = ""
    command: Md | None = None
    whole: Text = Text("")  # a text of several lines, whole (a one-line view shows `headline`)


def entry_view(entry: Entry, tz: tzinfo, now: datetime, item: Item | None = None) -> EntryView:
    closed = item.closed_by if item is not None else None
    return EntryView(
        id=entry.id[:6],
        kind=str(entry.kind),
        at=clock(entry.at, tz, now),
        text=Text(entry.text),
        headline=headline(entry),
        author=name_of(entry.author),
        owner=entry.owner,
        due=clock(entry.due, tz, now) if entry.due else None,
        why=entry.why,
        tags=entry.tags,
        public=entry.public,
        likelihood=entry.likelihood,
        impact=entry.impact,
        outcome=item.outcome if item is not None else "",
        closed_text=Text(closed.text) if closed is not None else "",
        command=_command(entry) if entry.kind is Kind.COMMAND else None,
        whole=Text(entry.text.strip() if _shown_whole(entry) else ""),
    )


class Views(Sequence[EntryView]):
    """Entries as `EntryView`s, each built when a template first reads it: a long incident has
    hundreds of items and decisions, and a one-screen brief reads a handful of them."""

    def __init__(
        self,
        sources: Sequence[tuple[Entry, Item | None]],
        make: Callable[[Entry, Item | None], EntryView],
    ) -> None:
        self._sources = sources
        self._make = make
        self._built: dict[int, EntryView] = {}

    def __len__(self) -> int:
        return len(self._sources)

    @overload
    def __getitem__(self, index: int) -> EntryView: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[EntryView, ...]: ...

    def __getitem__(self, index: int | slice) -> EntryView | tuple[EntryView, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(len(self))[index])
        position = range(len(self))[index]  # a negative index counts from the end
        view = self._built.get(position)
        if view is None:
            view = self._built[position] = self._make(*self._sources[position])
        return view

    def __repr__(self) -> str:
        return f"Views({list(self)!r})"


def _shown_whole(entry: Entry) -> bool:
    """A text of several lines a Markdown brief shows whole (not an earlier rendered brief)."""
    return extra_lines(entry.text) > 0 and not (entry.kind is Kind.UPDATE and is_rendered(entry))


def _command(entry: Entry) -> Md:
    """The compact command render, indented to sit inside a list item."""
    argv = tuple(" ".join(a.split()) for a in entry.command or ())
    output = CONTROL_KEEP_LINES.sub("", (entry.output or "").replace("\t", "    "))
    text = command_summary(dataclasses.replace(entry, command=argv, output=output or None))
    first, *rest = text.split("\n")
    return Md("\n".join([first, *(f"  {line}" if line else "" for line in rest)]))


@dataclass(frozen=True)
class RoleView:
    role: str
    person: str


@dataclass(frozen=True)
class Check:
    """One exit criterion: done or not, and what it is."""

    done: bool
    text: str


def tagged(entries: Sequence[Entry], tag: str) -> tuple[Entry, ...]:
    return tuple(e for e in entries if tag in e.tags)


def affected_of(tags: Iterable[str]) -> tuple[str, ...]:
    """The components named by `affects:<component>` tags, first mention first."""
    found = [t.split(":", 1)[1].strip() for t in tags if t.startswith(AFFECTS)]
    return tuple(dict.fromkeys(v for v in found if v))


@dataclass(frozen=True)
class InternalBrief:
    """Everything the team's own audiences (responders, engineering, exec) may see."""

    audience: str
    incident: str
    title: str
    status: str
    status_label: str
    status_since: str
    severity: str
    severity_text: str
    reopened: bool
    restored: bool  # service restored (monitoring or resolved): no fix estimate is owed
    started: str
    detected: str
    mitigated: str | None
    resolved: str | None
    duration: str
    open_for: str  # 'open for 3h 51m': how long the incident has been open
    impact_summary: str  # 'customers affected 30m in two windows: 09:12–09:39, 11:02–11:05 UTC'
    impact_total: str  # '30m', '27m so far'
    impact_windows: tuple[str, ...]  # '09:12–09:39', '11:02–now'
    impact_times: str  # '09:12–09:39, 11:02–11:05 UTC'
    customers_affected: bool  # an impact window is open now
    mitigation_since: str | None  # the mitigation holds since (the end of the last window)
    returned_at: str | None  # the impact came back (a relapse) and is not mitigated yet
    ttd: str
    ttm: str
    ttr: str
    as_of: str
    updated_by: str
    roles: tuple[RoleView, ...]
    ic: str | None
    impact: EntryView | None
    affected: tuple[str, ...]
    cause: Sequence[EntryView]
    hypotheses: Sequence[EntryView]
    ruled_out: Sequence[EntryView]
    questions: Sequence[EntryView]
    answered: Sequence[EntryView]
    risks: Sequence[EntryView]
    actions: Sequence[EntryView]
    done: Sequence[EntryView]
    follow_ups: Sequence[EntryView]
    decisions: Sequence[EntryView]
    workarounds: Sequence[EntryView]
    needs: Sequence[EntryView]
    eta: EntryView | None
    timeline: tuple[EntryView, ...]
    exit_criteria: tuple[Check, ...]
    dues: tuple[DueView, ...]
    next_update: NextUpdate
    nudges: tuple[str, ...]  # "level: advice" lines from incjournal.nudges
    sent: Sent | None  # the latest update to this audience: it leads the brief
    streams: tuple[StreamView, ...] = ()  # workstreams (render.streams), set by brief_context
    since: Md = Md("")  # "Since our last update" (render.since), set by brief_context


def internal_context(
    state: IncidentState,
    config: Config,
    audience: str,
    now: datetime,
    review_written: bool = False,
) -> InternalBrief:
    from incjournal.nudges import compute
    from incjournal.render.nudge_lines import collapsed

    found = collapsed(compute(state, config, now, review_written=review_written))
    return InternalBrief(
        **_header(state, config, audience, now),
        **_work(state, config.tz, now),
        exit_criteria=exit_criteria(state, config, now),
        dues=due_views(state, config, now),
        next_update=next_update(state, config, audience, now),
        nudges=tuple(f"{n.level}: {n.message}" for n in found),
        sent=last_sent(state, audience, config.tz),
    )


def _header(state: IncidentState, config: Config, audience: str, now: datetime) -> dict[str, Any]:
    tz = config.tz
    ms = state.milestones
    last = max(state.entries, key=attrgetter("recorded_at"), default=None)
    since = state.status_changes[-1].at if state.status_changes else state.meta.opened_at
    return {
        "audience": audience,
        "incident": state.id,
        "title": state.title,
        "status": state.status,
        "status_label": state.status.capitalize(),
        "status_since": clock(since, tz, now),
        "severity": f"SEV{state.severity}" if state.severity is not None else "SEV?",
        "severity_text": _severity_text(state, config),
        "reopened": state.reopened,
        "restored": state.status == MITIGATED_STATE or state.is_resolved,
        "started": clock(ms.started, tz, now),
        "detected": clock(ms.detected, tz, now),
        "mitigated": clock(ms.mitigated, tz, now) if ms.mitigated else None,
        "resolved": clock(ms.resolved, tz, now) if ms.resolved else None,
        "duration": human_duration((ms.resolved or now) - ms.started if ms.started else None),
        **impact_fields(state, tz, now),
        "ttd": human_duration(ms.ttd),
        "ttm": human_duration(ms.ttm),
        "ttr": human_duration(ms.ttr),
        "as_of": clock(now, tz, now),
        "updated_by": name_of(last.author if last else state.meta.opened_by),
        "roles": tuple(RoleView(r, p) for r, p in state.roles.items()),
        "ic": state.roles.get("ic"),
    }


def impact_fields(state: IncidentState, tz: tzinfo, now: datetime) -> dict[str, Any]:
    """How long the incident is open, and customer impact: its windows and their total."""
    from incjournal.render import metrics

    return {
        "open_for": metrics.open_for(state, now),
        "impact_summary": metrics.impact_summary(state, tz, now),
        "impact_total": metrics.impact_total(state, now),
        "impact_windows": metrics.window_spans(state, tz, now),
        "impact_times": metrics.impact_times(state, tz, now),
        "customers_affected": state.customers_affected,
        **_mitigation(state, tz, now),
    }


def _mitigation(state: IncidentState, tz: tzinfo, now: datetime) -> dict[str, str | None]:
    """Whether the mitigation holds now: since when (the end of the last impact window), or
    when the impact came back after one (a relapse)."""
    windows = state.impact_windows
    if not windows:
        mitigated = state.milestones.mitigated
        return {
            "mitigation_since": clock(mitigated, tz, now) if mitigated else None,
            "returned_at": None,
        }
    last = windows[-1]
    return {
        "mitigation_since": clock(last.end, tz, now) if last.end else None,
        "returned_at": clock(last.start, tz, now)
        if last.end is None and len(windows) > 1
        else None,
    }


def _work(state: IncidentState, tz: tzinfo, now: datetime) -> dict[str, Any]:
    live = state.live_entries()
    with_tags = [e for e in live if e.tags]

    def view(entry: Entry, item: Item | None = None) -> EntryView:
        return entry_view(entry, tz, now, item)

    def views(entries: Iterable[Entry]) -> Views:
        return Views([(e, None) for e in entries], view)

    def items(chosen: Iterable[Item]) -> Views:
        return Views([(i.entry, i) for i in chosen], view)

    def ended(name: str, outcome: str) -> Views:
        return items(i for i in getattr(state, name) if i.outcome == outcome)

    actions = state.open_items("actions")
    etas = tagged(with_tags, "eta")
    closed = {i.entry.id for i in (*state.questions, *state.actions) if i.closed_by}
    return {
        "impact": view(state.impact) if state.impact else None,
        "affected": affected_of(t for e in with_tags for t in e.tags),
        "cause": items(state.causes),
        "hypotheses": ended("hypotheses", "open"),
        "ruled_out": ended("hypotheses", "rule-out"),
        "questions": ended("questions", "open"),
        "answered": ended("questions", "answer"),
        "risks": ended("risks", "open"),
        "actions": items(i for i in actions if not i.entry.follow_up),
        "done": ended("actions", "done"),
        "follow_ups": items(i for i in actions if i.entry.follow_up),
        "decisions": views(state.decisions),
        "workarounds": views(tagged(with_tags, "workaround")),
        "needs": views(e for e in tagged(with_tags, "need") if e.id not in closed),
        "eta": view(etas[-1]) if etas and not state.is_resolved else None,
        "timeline": tuple(view(e) for e in live[-RECENT:]),
    }


def _severity_text(state: IncidentState, config: Config) -> str:
    sev = config.severities.get(state.severity) if state.severity is not None else None
    return sev.description if sev is not None else ""


def exit_criteria(state: IncidentState, config: Config, now: datetime) -> tuple[Check, ...]:
    """What still stands between now and closing the incident, as a checklist."""
    tz = config.tz
    ms = state.milestones
    open_actions = [i for i in state.open_items("actions") if not i.entry.follow_up]
    open_questions = state.open_items("questions")
    owed = [d.audience for d in due_updates(state, config, now) if d.next_due is not None]
    mitigated = f"mitigated at {clock(ms.mitigated, tz, now)}" if ms.mitigated else "not yet"
    return (
        Check(ms.mitigated is not None, f"Customer impact mitigated ({mitigated})"),
        Check(any(i.outcome == "confirm" for i in state.hypotheses), "Cause confirmed"),
        Check(not open_actions, f"Incident actions done ({len(open_actions)} open)"),
        Check(not open_questions, f"Open questions answered ({len(open_questions)} open)"),
        Check(state.is_resolved, "Status set to resolved"),
        Check(
            state.is_resolved and not owed,
            "Final update sent to every audience"
            + (f" (owed: {', '.join(owed)})" if state.is_resolved and owed else ""),
        ),
    )
