"""What the review keeps out of its story: long texts and command output, in appendices.

A timeline row is one line (at most `ROW_LIMIT` characters): a text of several lines, or a long
one, shows its first words and links to the text in full; an update that held a rendered brief
shows as "update to exec (18 lines)", linked the same way. Command output is in its own
appendix, bounded (first and last lines). Whether an entry is folded is a pure function of the
entry, so the timeline and the appendix agree without sharing anything.
"""

from __future__ import annotations

from datetime import tzinfo

from incjournal.core.fold import IncidentState
from incjournal.core.model import Entry, Kind
from incjournal.render.evidence import command_summary
from incjournal.render.labels import name_of, plural, when
from incjournal.render.sent import is_rendered
from incjournal.render.text import block, cell, extra_lines, inline

ROW_LIMIT = 300  # characters in a timeline row, all of it
TEXT_LIMIT = 160  # characters of an entry's text shown in its row before it is folded
FULL_LINES = 200  # lines of a text shown in full in the appendix
TEXTS = "Appendix: texts in full"
OUTPUT = "Appendix: command output"


def folds(entry: Entry) -> bool:
    """The entry's text is too long for one timeline row."""
    text = entry.text.strip()
    return "\n" in text or len(text) > TEXT_LIMIT


def anchor(entry: Entry, what: str = "text") -> str:
    return f"{what}-{entry.id[:8]}"


def folded_cell(entry: Entry, head: str) -> str:
    """A folded entry's row text: what it is, its first words, and a link to it in full."""
    lines = len(entry.text.strip().splitlines())
    link = f"(#{anchor(entry)})"
    if entry.kind is Kind.UPDATE:
        what = f"update to {entry.audience}"
        if is_rendered(entry):
            return f"[{what} ({plural(lines, 'line')})]{link}: the brief as it stood then"
        return f"[{what} ({plural(lines, 'line')})]{link}: {_first_words(entry.text)}"
    more = f"+{plural(extra_lines(entry.text), 'line')}" if lines > 1 else "in full"
    start = f"{cell(head)}: " if head else ""
    return f"{start}{_first_words(entry.text)} [({more})]{link}"


def _first_words(text: str, limit: int = 120) -> str:
    first = " ".join(text.strip().splitlines()[0].split())
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    return cell(first)


def texts(state: IncidentState, tz: tzinfo) -> list[str]:
    """Every folded text in full, each under an anchor the timeline links to."""
    out: list[str] = []
    for entry in state.live_entries():
        if not folds(entry):
            continue
        what = f"update to {entry.audience}" if entry.kind is Kind.UPDATE else str(entry.kind)
        lines = entry.text.strip("\n").splitlines()
        shown = lines[:FULL_LINES]
        rest = [f"… {len(lines) - FULL_LINES} more lines in the entry file"]
        out += [
            f'<a id="{anchor(entry)}"></a>**{when(entry.at, tz)} · {what} · '
            f"{inline(name_of(entry.author))}**",
            "",
            block("\n".join(shown)),
            *(["", *rest] if len(lines) > FULL_LINES else []),
            "",
        ]
    return out[:-1]


def outputs(state: IncidentState, tz: tzinfo) -> list[str]:
    """Each command's exit and the first and last lines of its output."""
    out: list[str] = []
    for entry in state.live_entries():
        if entry.kind is not Kind.COMMAND or not (entry.output or "").strip():
            continue
        out += [
            f'<a id="{anchor(entry, "output")}"></a>**{when(entry.at, tz)}** · '
            f"{inline(name_of(entry.author))} — {command_summary(entry)}",
            "",
        ]
    return out[:-1]


def has_texts(state: IncidentState) -> bool:
    return any(folds(e) for e in state.live_entries())


def has_outputs(state: IncidentState) -> bool:
    return any(e.kind is Kind.COMMAND and (e.output or "").strip() for e in state.live_entries())
