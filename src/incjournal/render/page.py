"""The incident page (derived README.md) and the `ij show` dashboard: one Markdown picture."""

from __future__ import annotations

from datetime import datetime, tzinfo

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState, Item
from incjournal.core.links import links_by_ref
from incjournal.core.model import Entry
from incjournal.core.times import human_duration, show
from incjournal.render.context import as_of
from incjournal.render.labels import headline
from incjournal.render.links import linked
from incjournal.render.metrics import impact_summary
from incjournal.render.streams import page_lines, unstreamed
from incjournal.render.text import cell, inline, quoted

RECENT = 10


def incident_page(
    state: IncidentState,
    config: Config,
    now: datetime | None = None,
    *,
    review_written: bool = False,
) -> str:
    """Markdown for the incident folder's README.md (now=None: as of the last entry).

    With `now` (the `ij show` dashboard) the practice nudges are shown under the facts.
    """
    tz = config.tz
    parts = [
        f"# {inline(state.title)}",
        "",
        _facts(state, tz, now),
        *_nudges(state, config, now, review_written),
        *_next_updates(state, config, now),
        *_section("Impact", [_impact(state, tz)]),
        *_section("Open hypotheses", [_item(i, tz) for i in _own(state, "hypotheses")]),
        *_section("Open questions", [_item(i, tz) for i in _own(state, "questions")]),
        *_section("Answered questions", _answered(state, tz) if now is not None else []),
        *_section("Risks", [_item(i, tz) for i in _own(state, "risks")]),
        *_section("Open actions", _actions(state, tz)),
        *_section("Workstreams", page_lines(state, tz, now or as_of(state))[1:]),
        *_section("Recent decisions", [_decision(e, tz) for e in state.decisions[-5:]]),
        *_timeline(state, tz),
    ]
    return "\n".join(parts).rstrip() + "\n"


def _actions(state: IncidentState, tz: tzinfo) -> list[str]:
    """Open actions of no workstream, each with its issues or tickets (`ij link`)."""
    refs = links_by_ref(state)
    return [_item(i, tz) + linked(refs.get(i.entry.id, ())) for i in _own(state, "actions")]


def _own(state: IncidentState, name: str) -> tuple[Item, ...]:
    """Open items of no workstream (a stream's items are listed under it)."""
    return unstreamed(state.open_items(name))


def _facts(state: IncidentState, tz: tzinfo, now: datetime | None) -> str:
    ms = state.milestones
    end = ms.resolved or now or state.last_at
    duration = end - ms.started if end and ms.started else None
    roles = ", ".join(f"{r}: {inline(p)}" for r, p in state.roles.items()) or "none assigned"
    sev = f"SEV{state.severity}" if state.severity is not None else "not set"
    rows = [
        ("Incident", f"`{state.id}`"),
        ("Status", f"**{state.status}**" + (" (reopened)" if state.reopened else "")),
        ("Severity", sev),
        ("Open for", human_duration(duration)),
        ("Customer impact", inline(impact_summary(state, tz, now))),
        ("Roles", roles),
        ("Started", show(ms.started, tz)),
        ("Detected", f"{show(ms.detected, tz)} (TTD {human_duration(ms.ttd)})"),
        ("Mitigated", f"{show(ms.mitigated, tz)} (TTM {human_duration(ms.ttm)})"),
        ("Resolved", f"{show(ms.resolved, tz)} (TTR {human_duration(ms.ttr)})"),
    ]
    return "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def _nudges(
    state: IncidentState, config: Config, now: datetime | None, review_written: bool
) -> list[str]:
    if now is None:  # the committed page never nags
        return []
    from incjournal.nudges import compute
    from incjournal.render.nudge_lines import compact

    text = compact(compute(state, config, now, review_written=review_written))
    return _section("Nudges", [text]) if text else []


def _next_updates(state: IncidentState, config: Config, now: datetime | None) -> list[str]:
    if now is None:  # the committed page has no countdown
        return []
    from incjournal.render.context import escape
    from incjournal.render.due import due_line, due_views

    lines = [f"- {escape(due_line(d))}" for d in due_views(state, config, now) if d.state != "none"]
    return _section("Next updates", lines)


def _section(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    return ["", f"## {title}", "", *lines]


def _impact(state: IncidentState, tz: tzinfo) -> str:
    if state.impact is None:
        return "_No impact statement yet (`ij impact TEXT`)._"
    return f"{quoted(state.impact.text)} _(as of {show(state.impact.at, tz, date=False)})_"


def _answered(state: IncidentState, tz: tzinfo) -> list[str]:
    from incjournal.render.review_items import answered_questions

    return answered_questions(state, tz)


def _item(item: Item, tz: tzinfo) -> str:
    entry = item.entry
    owner = f" — owner: {inline(entry.owner)}" if entry.owner else " — no owner"
    due = f", due {show(entry.due, tz)}" if entry.due else ""
    risk = ""
    if entry.likelihood or entry.impact:
        risk = f" (likelihood {entry.likelihood or '?'}, impact {entry.impact or '?'})"
    return f"- `{entry.id[:6]}` {quoted(entry.text)}{risk}{owner}{due}"


def _decision(entry: Entry, tz: tzinfo) -> str:
    why = f" — because {inline(entry.why)}" if entry.why else ""
    return f"- {show(entry.at, tz, date=False)} {quoted(entry.text)}{why}"


def _timeline(state: IncidentState, tz: tzinfo) -> list[str]:
    entries = state.live_entries()[-RECENT:]
    if not entries:
        return []
    rows = [
        f"| {show(e.at, tz)} | {e.kind} | {cell(headline(e))} | {cell(e.author)} | `{e.id[:6]}` |"
        for e in entries
    ]
    head = [
        "",
        "## Recent timeline",
        "",
        "| time | kind | what | who | id |",
        "|---|---|---|---|---|",
    ]
    return head + rows
