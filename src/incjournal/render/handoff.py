"""`ij handoff`: the brief an incoming incident commander can act on in two minutes.

Top to bottom: where we are, who must hear from us next, what is open (with owners), what we
believe and what was ruled out, what was decided and why, and who is who.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from incjournal.core.cadence import Due, due_updates
from incjournal.core.config import Config
from incjournal.core.fold import IncidentState, Item
from incjournal.core.model import Entry
from incjournal.core.times import human_duration, show
from incjournal.render.labels import name_of, when, zone_name
from incjournal.render.metrics import duration, impact_summary, metrics_line, reopen_note
from incjournal.render.text import inline

NONE = "_None._"


def handoff_markdown(
    state: IncidentState, config: Config, now: datetime, review_written: bool = False
) -> str:
    """Markdown for the incoming IC, as of `now`."""
    from incjournal.nudges import compute
    from incjournal.render.nudge_lines import compact

    tz = config.tz
    advice = compact(compute(state, config, now, review_written=review_written))
    parts = [
        f"# Hand-off: {inline(state.title)}",
        "",
        f"_Incident `{state.id}` as of {show(now, tz)}; times below are {zone_name(tz, now)}. "
        "Everything open is listed with its owner._",
        "",
        *_facts(state, tz, now),
        *(_section("Worth doing now", advice.splitlines()) if advice else []),
        *_section("Next updates due", _due_rows(due_updates(state, config, now), tz)),
        *_streams(state, tz, now),
        *_section("Open actions", _opens(state, "actions", tz, now)),
        *_section("Open questions", _opens(state, "questions", tz, now)),
        *_section("Open risks", _opens(state, "risks", tz, now, owned=False)),
        *_section("Questions answered", _answered(state, tz)),
        *_section("What we believe (confirmed causes, in order)", _causes(state, tz)),
        *_section("Still being investigated", _opens(state, "hypotheses", tz, now, owned=False)),
        *_section("Tried and ruled out", _closed(state, "rule-out", tz)),
        *_section("Done so far", _closed(state, "done", tz, name="actions")),
        *_section("Decisions and why", [_decision(e, tz) for e in state.decisions]),
        *_section("Who is who", _roles(state, tz)),
    ]
    return "\n".join(parts).rstrip() + "\n"


def _streams(state: IncidentState, tz: tzinfo, now: datetime) -> list[str]:
    from incjournal.render.streams import handoff_lines

    lines = handoff_lines(state, tz, now)
    return _section("Workstreams and their leads", lines) if lines else []


def _opens(
    state: IncidentState, name: str, tz: tzinfo, now: datetime, owned: bool = True
) -> list[str]:
    return [_open(item, tz, now, owned) for item in state.open_items(name)]


def _facts(state: IncidentState, tz: tzinfo, now: datetime) -> list[str]:
    ms = state.milestones
    status = f"**{state.status}**"
    sev = f"SEV{state.severity}" if state.severity is not None else "not set"
    impact = (
        f"{inline(state.impact.text)} _(as of {when(state.impact.at, tz)})_"
        if state.impact
        else "_no impact statement yet_"
    )
    roles = " · ".join(f"{r}: {inline(p)}" for r, p in state.roles.items()) or "**none assigned**"
    rows = [
        ("Status", status),
        ("Severity", sev),
        ("Open for", f"{duration(state, now)} (since {when(ms.started, tz)})"),
        ("Customer impact", impact_summary(state, tz, now)),
        ("Metrics", metrics_line(ms)),
        ("Impact", impact),
        ("Roles", roles),
    ]
    table = ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    note = reopen_note(state, tz)
    return table + (["", note] if note else [])


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", f"## {title}", "", *(lines or [NONE])]


def _due_rows(dues: list[Due], tz: tzinfo) -> list[str]:
    owed = [d for d in dues if d.next_due is not None]
    if not owed:
        return []
    rows = ["| audience | last sent | next due | |", "|---|---|---|---|"]
    for due in owed:
        last = when(due.last_update, tz) if due.last_update else "never"
        flag = {"overdue": "**OVERDUE**", "due": "due soon"}.get(due.state, "ok")
        next_due = f"{when(due.next_due, tz)} ({_relative(due.remaining)})"
        public = " (public-facing)" if due.public and due.audience != "public" else ""
        rows.append(f"| {due.audience}{public} | {last} | {next_due} | {flag} |")
    return rows


def _relative(remaining: timedelta | None) -> str:
    """'in 12m' or 'overdue by 5m'."""
    if remaining is None:
        return "—"
    if remaining < timedelta(0):
        return f"overdue by {human_duration(-remaining)}"
    return f"in {human_duration(remaining)}"


def _open(item: Item, tz: tzinfo, now: datetime, owned: bool = True) -> str:
    """An open item; `owned`: it should have an owner (actions, questions)."""
    entry = item.entry
    details = []
    if entry.owner:
        details.append(f"owner: {inline(entry.owner)}")
    elif owned:
        details.append("**no owner**")
    if entry.due is not None:
        details.append(f"due {when(entry.due, tz)} ({_relative(entry.due - now)})")
    if entry.likelihood or entry.impact:
        details.append(
            f"likelihood {inline(entry.likelihood or '?')}, impact {inline(entry.impact or '?')}"
        )
    tail = f" — {', '.join(details)}" if details else ""
    return f"- `{entry.id[:6]}` {inline(entry.text)}{tail} _(since {when(entry.at, tz)})_"


def _answered(state: IncidentState, tz: tzinfo) -> list[str]:
    from incjournal.render.review_items import answered_questions

    return answered_questions(state, tz)


def _causes(state: IncidentState, tz: tzinfo) -> list[str]:
    return [_closed_line(item, tz) for item in state.causes]


def _closed(state: IncidentState, outcome: str, tz: tzinfo, name: str = "hypotheses") -> list[str]:
    items: tuple[Item, ...] = getattr(state, name)
    return [_closed_line(i, tz) for i in items if i.outcome == outcome]


def _closed_line(item: Item, tz: tzinfo) -> str:
    closer = item.closed_by
    assert closer is not None
    note = f": {inline(closer.text)}" if closer.text.strip() else ""
    verb = {"confirm": "confirmed", "rule-out": "ruled out", "done": "done"}[str(closer.kind)]
    return f"- {inline(item.entry.text)} — {verb} {when(closer.at, tz)}{note}"


def _decision(entry: Entry, tz: tzinfo) -> str:
    why = f" — because {inline(entry.why)}" if entry.why else " — _no reason recorded_"
    by = inline(name_of(entry.author))
    return f"- {when(entry.at, tz)} {inline(entry.text)}{why} _({by})_"


def _roles(state: IncidentState, tz: tzinfo) -> list[str]:
    lines = [f"- **{role}**: {inline(person)}" for role, person in state.roles.items()]
    handoffs = [c for c in state.role_history if c.role == "ic" and c.previous]
    if handoffs:
        lines += ["", "IC hand-offs so far:", ""]
        lines += [
            f"- {when(c.at, tz)} {inline(c.previous or '')} → {inline(c.person)}" for c in handoffs
        ]
    return lines
