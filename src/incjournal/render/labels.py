"""Small labels shared by the hand-off and review renders: compact times and people's names."""

from __future__ import annotations

from datetime import datetime, tzinfo


def when(at: datetime | None, tz: tzinfo) -> str:
    """'Mon 23 Nov 10:42' in the journal's zone (named once per page); '—' when unknown."""
    if at is None:
        return "—"
    return at.astimezone(tz).strftime("%a %d %b %H:%M")


def name_of(author: str) -> str:
    """'Alice Example <alice@example.com>' -> 'Alice Example'."""
    return author.split("<", 1)[0].strip() or author


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 question', '2 questions' ('many' for irregular plurals)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def zone_name(tz: tzinfo, at: datetime) -> str:
    """The zone's IANA name when it has one ('Europe/Berlin'), else its abbreviation at `at`."""
    return str(getattr(tz, "key", None) or at.astimezone(tz).tzname() or "UTC")


def times(count: int) -> str:
    """'once', 'twice', '3 times'."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")
