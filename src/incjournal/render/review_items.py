"""Review sections about the journal's items: decisions (with what was known at the time),
hypotheses, questions, risks, corrections, commands and follow-up actions."""

from __future__ import annotations

import dataclasses
from datetime import datetime, tzinfo

from incjournal.core.fold import IncidentState, Item
from incjournal.core.links import links_by_ref
from incjournal.core.model import Entry, Kind
from incjournal.core.times import human_duration
from incjournal.render.evidence import command_summary
from incjournal.render.labels import name_of, when
from incjournal.render.links import linked
from incjournal.render.text import cell, inline

KNOWN_MAX = 5  # items named per line of "what was known at that moment"
_OUTCOME = {
    "confirm": "confirmed",
    "rule-out": "ruled out",
    "answer": "answered",
    "retire": "retired",
    "done": "done",
    "open": "still open",
}


def decisions(state: IncidentState, tz: tzinfo) -> list[str]:
    if not state.decisions:
        return ["_No decisions were recorded (`ij decide TEXT --why WHY`)._"]
    out: list[str] = []
    thens = state.states_at([e.at for e in state.decisions])  # one pass, not a refold each
    for n, (entry, then) in enumerate(zip(state.decisions, thens, strict=True), 1):
        out += [f"### {n}. {inline(entry.text)}", ""]
        sev = f", SEV{then.severity}" if then.severity is not None else ""
        out += [
            f"_{when(entry.at, tz)} · decided by {inline(name_of(entry.author))} · "
            f"status then: {then.status}{sev}_",
            "",
            f"**Why:** {inline(entry.why) if entry.why else '_no reason recorded_'}",
            "",
            "**What was known at that moment:**",
            "",
            *_known(then, entry.at),
            "",
        ]
    return out[:-1]


def _known(then: IncidentState, at: datetime) -> list[str]:
    impact = inline(then.impact.text) if then.impact else "_no impact statement yet_"
    closed = [h for h in then.hypotheses if h.closed_by is not None]
    return [
        f"- Impact: {impact}",
        f"- Open hypotheses: {_texts(then.open_items('hypotheses'))}",
        f"- Already confirmed or ruled out: {_texts(closed, outcome=True)}",
        f"- Open questions: {_texts(then.open_items('questions'), owner=True)}",
        f"- Open risks: {_texts(then.open_items('risks'))}",
        f"- Time since impact start: {_since(then, at)}",
    ]


def _texts(items: tuple[Item, ...] | list[Item], owner: bool = False, outcome: bool = False) -> str:
    """The items' texts; past KNOWN_MAX, how many and the last KNOWN_MAX raised (a long incident
    has hundreds of decisions and open items: listing all of them under each decision buries the
    story in repetition)."""
    if not items:
        return "none"
    parts = []
    for item in items[-KNOWN_MAX:]:
        text = inline(item.entry.text)
        if owner:
            text += f" ({inline(item.owner)})" if item.owner else " (no owner)"
        if outcome:
            text += f" ({_OUTCOME[item.outcome]})"
        parts.append(text)
    if len(items) > KNOWN_MAX:
        return f"{len(items)}; the last {KNOWN_MAX} raised: " + "; ".join(parts)
    return "; ".join(parts)


def _since(then: IncidentState, at: datetime) -> str:
    start = then.milestones.started
    return human_duration(at - start) if start is not None else "—"


def hypotheses(state: IncidentState, tz: tzinfo) -> list[str]:
    if not state.hypotheses:
        return ["_No hypotheses were recorded (`ij hypothesis TEXT`)._"]
    rows = [
        "| hypothesis | raised | how it ended | after | note |",
        "|---|---|---|---|---|",
    ]
    rows += [_item_row(item, tz) for item in state.hypotheses]
    return rows


def _item_row(item: Item, tz: tzinfo) -> str:
    entry, closer = item.entry, item.closed_by
    raised = f"{when(entry.at, tz)} by {cell(name_of(entry.author))}"
    if closer is None:
        return f"| {cell(entry.text)} | {raised} | still open | — | |"
    ended = f"{_OUTCOME[item.outcome]} {when(closer.at, tz)}"
    note = cell(closer.text) if closer.text.strip() else " "
    took = human_duration(closer.at - entry.at)
    return f"| {cell(entry.text)} | {raised} | {ended} | {took} | {note} |"


def questions(state: IncidentState, tz: tzinfo) -> list[str]:
    still = state.open_items("questions")
    out = ["Answered:", ""]
    out += answered_questions(state, tz) or ["_none_"]
    out += ["", "Still open:", ""]
    out += [
        f"- {inline(q.entry.text)} — {_owner(q)} _(asked {when(q.entry.at, tz)})_" for q in still
    ] or ["_none_"]
    return out


def answered_questions(state: IncidentState, tz: tzinfo) -> list[str]:
    """Every answered question with all its answers (review, hand-off, `ij show`)."""
    return [line for q in state.questions if not q.is_open for line in answered_lines(q, tz)]


def answered_lines(item: Item, tz: tzinfo) -> list[str]:
    """An answered question and every answer it got, the first one first (Markdown list)."""
    first, *more = item.answers
    return [
        f"- {inline(item.entry.text)} → {_answer(first, tz)}",
        *(f"  - also answered: {_answer(e, tz)}" for e in more),
    ]


def _answer(entry: Entry, tz: tzinfo) -> str:
    said = inline(entry.text) or "_answered_"
    return f"{said} _({when(entry.at, tz)}, {inline(name_of(entry.author))})_"


def _owner(item: Item) -> str:
    return f"owner: {inline(item.owner)}" if item.owner else "**no owner**"


def risks(state: IncidentState, tz: tzinfo) -> list[str]:
    if not state.risks:
        return ["_No risks were recorded (`ij risk TEXT`)._"]
    rows = ["| risk | likelihood | impact | raised | status |", "|---|---|---|---|---|"]
    for item in state.risks:
        e = item.entry
        status = (
            "still open"
            if item.closed_by is None
            else f"retired {when(item.closed_by.at, tz)}"
            + (f": {cell(item.closed_by.text)}" if item.closed_by.text.strip() else "")
        )
        rows.append(
            f"| {cell(e.text)} | {cell(e.likelihood or '—')} | {cell(e.impact or '—')} "
            f"| {when(e.at, tz)} | {status} |"
        )
    return rows


def corrections(state: IncidentState, tz: tzinfo) -> list[str]:
    """Every amend and strike, with the original and the corrected text both visible."""
    by_id = {e.id: e for e in state.entries}
    out: list[str] = []
    for ref, amends in state.amendments.items():
        original = state.originals.get(ref)
        if original is None:
            continue
        out.append(f"- {original.kind} `{ref[:6]}` ({when(original.at, tz)}) was amended:")
        out.append(f"  - originally: ~~{inline(original.text)}~~")
        out += [
            f"  - corrected {when(a.at, tz)} by {inline(name_of(a.author))}: {inline(a.text)}"
            for a in amends
        ]
    for ref, strike in state.struck.items():
        target = by_id.get(ref)
        if target is None:
            continue
        text = state.originals[ref].text if ref in state.originals else target.text
        out.append(
            f"- {target.kind} `{ref[:6]}` ({when(target.at, tz)}) was struck "
            f"{when(strike.at, tz)} by {inline(name_of(strike.author))} because "
            f"{inline(strike.why or 'no reason given')}: ~~{inline(text) or target.kind}~~"
        )
    return out or ["_No entry was corrected._"]


def commands(state: IncidentState, tz: tzinfo) -> list[str]:
    """One line per command; the output is in the appendix (first and last lines)."""
    from incjournal.render.review_appendix import anchor

    ran = [e for e in state.live_entries() if e.kind is Kind.COMMAND]
    if not ran:
        return ["_No commands were recorded (`ij exec -- CMD`)._"]
    out = []
    for entry in ran:
        head = command_summary(dataclasses.replace(entry, output=None))
        output = (entry.output or "").strip()
        link = f" — [output](#{anchor(entry, 'output')})" if output else ""
        out.append(f"- {when(entry.at, tz)} · {inline(name_of(entry.author))} — {head}{link}")
    return out


def follow_ups(state: IncidentState, tz: tzinfo) -> list[str]:
    """Post-incident work (`--follow-up`) plus actions still open at the end."""
    chosen = [a for a in state.actions if a.entry.follow_up]
    chosen += [a for a in state.actions if not a.entry.follow_up and a.is_open]
    if not chosen:
        return ["_No follow-up actions yet: `ij action TEXT --owner P --follow-up`._"]
    refs = links_by_ref(state)
    rows = ["| action | owner | due | status | kind |", "|---|---|---|---|---|"]
    for item in chosen:
        e = item.entry
        owner = cell(e.owner) if e.owner else "**unowned**"
        status = "open" if item.closed_by is None else f"done {when(item.closed_by.at, tz)}"
        kind = "follow-up" if e.follow_up else "incident action, left open"
        text = cell(e.text) + linked(refs.get(e.id, ()))
        rows.append(f"| {text} | {owner} | {when(e.due, tz)} | {status} | {kind} |")
    return rows
