"""What was sent: the text of each `ij update AUDIENCE TEXT` is that audience's message.

The latest update to an audience leads its next brief, with its date and time. An update sent
without text holds the brief as it was rendered then (marked `rendered = true` in its file); a
brief names it rather than quoting a whole earlier brief.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import tzinfo

from incjournal.core.fold import IncidentState
from incjournal.core.model import RENDERED, Entry, Kind
from incjournal.core.times import show
from incjournal.render.text import Md, extra_lines, first_line, quote

PUBLIC_AUDIENCE = "public"  # the status page: what customers were told


_BUILT_IN_SUBTITLE = re.compile(r"^# .*\n(\n\*\*\w+\*\* · |_.* · as of .*_\n)")


def is_rendered(entry: Entry) -> bool:
    """The update holds a rendered brief: marked so since this version; in older journals, one
    of the built-in briefs (a title, then a subtitle or status line)."""
    if entry.extra.get(RENDERED):
        return True
    return extra_lines(entry.text) >= 3 and _BUILT_IN_SUBTITLE.match(entry.text) is not None


def updates_to(state: IncidentState, audiences: Collection[str]) -> list[Entry]:
    """Updates sent to any of `audiences`, in time order (struck ones left out)."""
    return [e for e in state.live_entries() if e.kind is Kind.UPDATE and e.audience in audiences]


@dataclass(frozen=True)
class Sent:
    """The latest update to an audience, as its next brief shows it."""

    audience: str
    at: str  # always with its date: '2026-11-23 19:31 CET'
    text: str  # "" when the update was the rendered brief
    lines: int  # how many lines the update held
    summary: str  # one line: the first line and "(+N lines)", or 'the brief (18 lines)'
    quote: Md  # Markdown: the whole text as a quoted or fenced block ("" for a brief)


def last_sent(state: IncidentState, audience: str, tz: tzinfo) -> Sent | None:
    found = updates_to(state, (audience,))
    return sent_view(found[-1], tz) if found else None


def sent_view(entry: Entry, tz: tzinfo) -> Sent:
    lines = len(entry.text.strip().splitlines())
    at = show(entry.at, tz)
    if is_rendered(entry) or not entry.text.strip():
        summary = f"the brief as it stood then ({lines} lines)" if lines else "no text recorded"
        return Sent(entry.audience or "", at, "", lines, summary, Md(""))
    text = entry.text.strip()
    return Sent(entry.audience or "", at, text, lines, first_line(text), quote(text))
