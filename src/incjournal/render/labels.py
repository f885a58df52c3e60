"""Small labels shared by the renders: compact times, people's names, one-line headlines."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from incjournal.core.model import Entry, Kind
from incjournal.core.times import show
from incjournal.render.sent import is_rendered
from incjournal.render.text import extra_lines


def when(at: datetime | None, tz: tzinfo) -> str:
    """'Mon 23 Nov 10:42' in the journal's zone (named once per page); '—' when unknown."""
    if at is None:
        return "—"
    return at.astimezone(tz).strftime("%a %d %b %H:%M")


def name_of(author: str) -> str:
    """'Alice Example <alice@example.com>' -> 'Alice Example'."""
    return author.split("<", 1)[0].strip() or author.strip()


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 question', '2 questions' ('many' for irregular plurals)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def zone_name(tz: tzinfo, at: datetime) -> str:
    """The zone's IANA name when it has one ('Europe/Berlin'), else its abbreviation at `at`."""
    return str(getattr(tz, "key", None) or at.astimezone(tz).tzname() or "UTC")


def times(count: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def headline(entry: Entry) -> str:
    """The entry in one line, with "(+N lines)" when its text has more than one; an update
    that held the rendered brief says so."""
    if entry.kind is Kind.UPDATE and is_rendered(entry):
        lines = plural(extra_lines(entry.text) + 1, "line")
        return f"to {entry.audience}: the brief as it stood then ({lines})"
    more = extra_lines(entry.text)
    return entry.headline + (f" (+{plural(more, 'line')})" if more else "")


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
