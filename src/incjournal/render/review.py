"""`ij review`: a learning-oriented, blameless post-incident review draft in Markdown.

The story is told with the decisions as they looked at the time (`state.state_at`), many
contributing factors rather than one root cause, and follow-up work with owners. The parts about
items (decisions, hypotheses, questions, risks, corrections, commands) live in `review_items`;
the prompts for the humans in `review_prompts`.
"""

from __future__ import annotations

import functools
import shlex
from collections.abc import Callable
from datetime import tzinfo

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState
from incjournal.core.model import CLOSES, Entry, Kind
from incjournal.core.times import show
from incjournal.render import review_appendix as appendix
from incjournal.render import review_items as items
from incjournal.render import review_prompts as prompts
from incjournal.render.labels import name_of, plural, when, zone_name
from incjournal.render.mermaid import fenced
from incjournal.render.metrics import (
    impact_rows,
    impact_summary,
    milestone_rows,
    open_for,
    precise,
    reopen_note,
)
from incjournal.render.text import cell, inline, quoted

Section = Callable[[IncidentState, tzinfo], list[str]]
_QUIET = frozenset({Kind.SNOOZE})


def review_markdown(state: IncidentState, config: Config) -> str:
    """The review draft: pure function of the folded state and the journal's settings."""
    tz = config.tz
    sections: list[tuple[str, Section]] = [
        ("Summary", _summary),
        ("Impact", _impact),
        ("Timestamps and metrics", _timestamps),
        ("Timeline", _timeline),
        *([("Workstreams", _streams)] if any(e.kind is Kind.STREAM for e in state.entries) else []),
        ("Decisions", items.decisions),
        ("Hypotheses explored", items.hypotheses),
        ("Questions", items.questions),
        ("Risks", items.risks),
        ("Corrections", items.corrections),
        ("Commands run", items.commands),
        ("Contributing factors", prompts.contributing_factors),
        (
            "What went well, what went poorly, where we got lucky",
            functools.partial(prompts.reflection, config=config),
        ),
        ("Follow-up actions", items.follow_ups),
        ("Participants and roles", _participants),
        *([(appendix.TEXTS, appendix.texts)] if appendix.has_texts(state) else []),
        *([(appendix.OUTPUT, appendix.outputs)] if appendix.has_outputs(state) else []),
    ]
    parts = _header(state, tz)
    for title, build in sections:
        parts += ["", f"## {title}", "", *build(state, tz)]
    return "\n".join(parts).rstrip() + "\n"


def _streams(state: IncidentState, tz: tzinfo) -> list[str]:
    from incjournal.render.streams import review_lines

    return review_lines(state, tz)


def _header(state: IncidentState, tz: tzinfo) -> list[str]:
    return [
        f"# Post-incident review: {inline(state.title)}",
        "",
        f"_Draft written by incjournal from the journal of `{state.id}` "
        f"({len(state.entries)} entries). Once saved with `ij review --write` this file belongs to "
        "the people who edit it; incjournal never overwrites it. The review is blameless: it "
        "describes what people knew and decided at the time, so that the system can get better._",
        "",
        f"Times are shown in {zone_name(tz, state.meta.opened_at)}.",
    ]


def _summary(state: IncidentState, tz: tzinfo) -> list[str]:
    ms = state.milestones
    status = "resolved" if state.is_resolved else f"still {state.status}"
    facts = [
        f"{_severity_phrase(state)}, **{status}**.",
        f"Impact started {show(ms.started, tz)}; the incident was {open_for(state, None)}; "
        f"{impact_summary(state, tz, None)}.",
        f"Detected after {precise(ms.ttd)}, mitigated after {precise(ms.ttm)}, "
        f"resolved after {precise(ms.ttr)}.",
        _counts(state),
    ]
    ics = [c.person for c in state.role_history if c.role == "ic"]
    if ics:
        facts.append(f"Incident commanders: {' → '.join(inline(p) for p in ics)}.")
    return [
        " ".join(facts),
        "",
        "> _Write two or three sentences: what happened, who was affected and how, "
        "and how it was brought back._",
    ]


def _severity_phrase(state: IncidentState) -> str:
    peak, final = state.peak_severity, state.severity
    if peak is None:
        return "An incident (severity never set)"
    if final is None or final == peak:
        return f"A **SEV{peak}** incident"
    return f"A **SEV{peak}** incident (at its worst; SEV{final} at the end)"


def _counts(state: IncidentState) -> str:
    people = {e.author for e in state.entries}
    hyps = state.hypotheses
    outcome = {k: sum(1 for h in hyps if h.outcome == k) for k in ("confirm", "rule-out", "open")}
    wrote = plural(len(state.entries), "journal entry", "journal entries")
    return (
        f"{plural(len(people), 'person', 'people')} wrote {wrote}; "
        f"{plural(len(state.decisions), 'decision')} taken; "
        f"{plural(len(hyps), 'hypothesis', 'hypotheses')} explored "
        f"({outcome['confirm']} confirmed, {outcome['rule-out']} ruled out, "
        f"{outcome['open']} left open)."
    )


def _impact(state: IncidentState, tz: tzinfo) -> list[str]:
    statements = [e for e in state.live_entries() if e.kind is Kind.IMPACT]
    if not statements:
        return ["_No impact statement was recorded (`ij impact TEXT`). Describe who was affected._"]
    last = statements[-1]
    out = [f"{quoted(last.text)} _(last stated {show(last.at, tz)})_"]
    if len(statements) > 1:
        out += ["", "How the impact statement changed:", ""]
        out += [f"- {when(e.at, tz)}: {inline(e.text)}" for e in statements]
    return out


def _timestamps(state: IncidentState, tz: tzinfo) -> list[str]:
    out = milestone_rows(state, tz)
    out += ["", *impact_rows(state, tz, None)]
    out += [
        "",
        "TTD = detected − started, TTM = mitigated − started, TTR = resolved − started; "
        "“—” means not known (never guessed). `ij mark started --at T` records an earlier "
        "impact start found later. Customer impact is counted per window: from its start to the "
        "mitigation that ended it (a relapse after monitoring opens a new one); "
        "`ij mark started|mitigated --window N --at T` corrects window N.",
    ]
    note = reopen_note(state, tz)
    return out + (["", note] if note else [])


def _timeline(state: IncidentState, tz: tzinfo) -> list[str]:
    by_id = {e.id: e for e in state.entries}
    who = {a: cell(name_of(a)) for a in {e.author for e in state.entries}}  # a few people
    rows = [
        f"| {when(e.at, tz)} | {e.kind} | {_what(state, e, by_id)} | {who[e.author]} |"
        for e in state.live_entries()
        if e.kind not in _QUIET
    ]
    return [
        "Phases (detection → mitigation → resolution), milestones and key decisions:",
        "",
        fenced(state, tz),
        "",
        "| time | kind | what | who |",
        "|---|---|---|---|",
        *rows,
    ]


def _what(state: IncidentState, entry: Entry, by_id: dict[str, Entry]) -> str:
    """One line for the timeline table: closers name what they close; a long text is folded
    into the appendix, a command's output too."""
    amended = " _(amended)_" if entry.id in state.originals else ""
    if entry.kind is Kind.COMMAND:
        return _command_cell(entry) + amended
    target = by_id.get(entry.ref or "")
    closes = (entry.kind in CLOSES or entry.kind is Kind.ASSIGN) and target is not None
    if appendix.folds(entry):
        head = (
            f"{target.first_line} →" if closes and target else _HEADS.get(entry.kind, _none)(entry)
        )
        return appendix.folded_cell(entry, head) + amended
    text = _TABLE_TEXT.get(entry.kind, _plain)(entry)
    if closes and target is not None:
        text = f"{target.first_line} → {text}" if text else target.first_line
    return cell(_clipped(text)) + amended


def _command_cell(entry: Entry) -> str:
    """`$ argv` → exit, in one code span, and a link to its output in the appendix."""
    argv = " ".join(shlex.join(entry.command or ()).replace("`", "'").split())
    status = "interrupted" if entry.interrupted else f"exit {entry.exit_code}"
    shown = f"`$ {_clipped(argv, 160)}`".replace("|", "\\|")
    output = (entry.output or "").strip()
    link = f" ([output](#{appendix.anchor(entry, 'output')}))" if output else ""
    return f"{shown} → {status}{link}"


def _clipped(text: str, limit: int = appendix.TEXT_LIMIT + 60) -> str:
    """Text cut short enough for one row (the entry keeps it whole)."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _none(entry: Entry) -> str:
    return ""


def _plain(entry: Entry) -> str:
    return " ".join(entry.text.split())


def _headed(head: Callable[[Entry], str], entry: Entry) -> str:
    return _joined(head(entry), entry)


def _joined(head: str, entry: Entry) -> str:
    return f"{head}: {_plain(entry)}" if entry.text.strip() else head


_HEADS: dict[Kind, Callable[[Entry], str]] = {
    Kind.STATUS: lambda e: f"→ {e.state}",
    Kind.ROLE: lambda e: f"{e.role}: {e.person}",
    Kind.MILESTONE: lambda e: (
        f"{e.milestone} (marked" + (f", impact window {e.window})" if e.window else ")")
    ),
}
_TABLE_TEXT: dict[Kind, Callable[[Entry], str]] = {
    **{kind: functools.partial(_headed, head) for kind, head in _HEADS.items()},
    Kind.SEVERITY: lambda e: f"→ SEV{e.level}" + (f" because {e.why}" if e.why else ""),
    Kind.ASSIGN: lambda e: (
        "reassigned" + (f" to {e.owner}" if e.owner else "") + ("; new due time" if e.due else "")
    ),
    Kind.UPDATE: lambda e: _joined(f"to {e.audience}", e),
    Kind.DECISION: lambda e: _plain(e) + (f" — because {e.why}" if e.why else ""),
}


def _participants(state: IncidentState, tz: tzinfo) -> list[str]:
    out = ["Roles over time:", "", "| role | person | from | until |", "|---|---|---|---|"]
    for n, change in enumerate(state.role_history):
        later = [c for c in state.role_history[n + 1 :] if c.role == change.role]
        until = when(later[0].at, tz) if later else "the end"
        out.append(f"| {change.role} | {cell(change.person)} | {when(change.at, tz)} | {until} |")
    if not state.role_history:
        out.append("| — | _no roles were recorded_ | | |")
    out += ["", "Who wrote in the journal:", "", "| person | entries |", "|---|---|"]
    counts: dict[str, int] = {}
    for entry in state.entries:
        counts[entry.author] = counts.get(entry.author, 0) + 1
    out += [f"| {cell(name_of(a))} | {n} |" for a, n in counts.items()]
    return out
