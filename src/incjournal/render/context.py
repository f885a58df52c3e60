"""What a brief template sees: plain, ready-to-print views of an incident, built per audience.

Templates never get the state, the journal or the config: they get one of two frozen view
objects. `InternalBrief` (here) is the whole picture for the team's own audiences;
`render.public.PublicBrief` is the reduced view for public-facing ones. Every `{{ }}` output is
Markdown-escaped by `finalize`, except `Md` values, which are Markdown this code built itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from incjournal.core.cadence import due_updates
from incjournal.core.config import Config
from incjournal.core.fold import MITIGATED_STATE, IncidentState, Item
from incjournal.core.model import Entry
from incjournal.core.times import human_duration
from incjournal.render.due import DueView, NextUpdate, due_views, next_update
from incjournal.render.entry_views import EntryView, Views, entry_view
from incjournal.render.labels import clock, name_of
from incjournal.render.sent import Sent, last_sent
from incjournal.render.text import (
    Md as Md,  # re-exported: templates' helpers import it from here
)
from incjournal.render.text import (
    Text,
    first_line,
    inline,
    text_block,
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


def as_of(state: IncidentState) -> datetime:
    """When the journal last changed: the latest recorded entry (derived files use it as 'now')."""
    times = [e.recorded_at for e in state.entries]
    return max(times) if times else state.meta.opened_at


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
    open_actions = [i for i in state.open_items("actions") if not i.entry.follow_up]
    open_questions = state.open_items("questions")
    owed = [d.audience for d in due_updates(state, config, now) if d.next_due is not None]
    holds = _mitigation(state, tz, now)["mitigation_since"]  # after a relapse: the last one
    mitigated = f"mitigated at {holds}" if holds else "not yet"
    return (
        Check(holds is not None, f"Customer impact mitigated ({mitigated})"),
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
