"""Time input and display: "10:42", "15m ago", "-15m", ISO 8601; UTC inside, local outside."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incjournal.core.errors import BadTime

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_RELATIVE = re.compile(r"^(?:-\s*(\d+)\s*([smhdw])|(\d+)\s*([smhdw])\s+ago)$", re.IGNORECASE)
_DURATION = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # an incident time before this is a typo
LONGEST = 366 * 86400  # a duration (a snooze, a cadence, '+2h') longer than this is a typo
HELP = "use HH:MM, HH:MM:SS, an ISO 8601 time, '15m ago' or '-15m'"


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str | None) -> tzinfo:
    """The zone called `name`; None or "" means the machine's local zone."""
    if not name or name == "local":
        return datetime.now().astimezone().tzinfo or UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadTime(f"unknown timezone {name!r}: use an IANA name like Europe/Berlin") from exc


def machine_zone_name() -> str:
    """The machine's IANA zone name, for a new journal's config; "UTC" when it cannot be told."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz or tz == "UTC":
        return tz
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"


def parse_duration(text: str) -> timedelta:
    """'30m', '1h30m', '2d' -> timedelta."""
    cleaned = text.strip().replace(" ", "")
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(n + u for n, u in parts).lower() != cleaned.lower():
        raise BadTime(f"cannot read duration {text!r}: use e.g. 30m, 1h, 1h30m, 2d")
    seconds = sum(int(n) * _UNITS[u.lower()] for n, u in parts)
    if seconds > LONGEST:
        raise BadTime(f"duration {text!r} is longer than a year: give a shorter one")
    return timedelta(seconds=seconds)


def parse_time(
    text: str, tz: tzinfo, now: datetime | None = None, *, future: bool = False
) -> datetime:
    """Parse a user's time into an aware UTC datetime.

    A bare clock time is today in `tz`, or yesterday when that would be in the future; for a
    `future` time (a due time) it is the next such time: today if still ahead, else tomorrow.
    Unless `future` is allowed, a time after `now` is an error.
    """
    now = now or utcnow()
    raw = text.strip()
    clock = _CLOCK.match(raw) if future else None
    try:
        when = _next_clock_time(clock, tz, now) if clock else _parse(raw, tz, now)
    except (OverflowError, ValueError):  # '999999999d ago', year 0 or 10000
        raise BadTime(f"time {text!r} is out of range: give a time between 2000 and 9999") from None
    if when is None:
        raise BadTime(f"cannot read time {text!r}: {HELP}")
    if when < EARLIEST:
        day = when.date().isoformat()
        raise BadTime(f"time {text!r} is {day}, before {EARLIEST:%Y}: give the date you mean")
    if not future and when > now + timedelta(seconds=1):
        raise BadTime(f"time {text!r} is in the future: entries record what already happened")
    return when


def _existing(local: datetime, tz: tzinfo) -> datetime:
    """`local` (a wall-clock time in `tz`) in UTC; BadTime when the zone skips it (DST)."""
    when = local.astimezone(UTC)
    if when.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadTime(
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz} (the clocks went forward): give the"
            " time after the change, or with its UTC offset (ISO 8601)"
        )
    return when


def _parse(raw: str, tz: tzinfo, now: datetime) -> datetime | None:
    if raw.lower() == "now":
        return now
    rel = _RELATIVE.match(raw)
    if rel:
        amount, unit = (
            (rel.group(1), rel.group(2)) if rel.group(1) else (rel.group(3), rel.group(4))
        )
        return now - timedelta(seconds=int(amount) * _UNITS[unit.lower()])
    if raw.startswith("+") or raw.lower().startswith("in "):
        return now + parse_duration(raw.lstrip("+").removeprefix("in ").strip())
    clock = _CLOCK.match(raw)
    if clock:
        return _clock_time(clock, tz, now)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return _existing(parsed.replace(tzinfo=tz), tz)
    return parsed.astimezone(UTC)


def _clock_time(match: re.Match[str], tz: tzinfo, now: datetime) -> datetime | None:
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    local_now = now.astimezone(tz)
    candidate = local_now.replace(hour=hour, minute=minute, second=second, microsecond=0)
    if candidate > local_now + timedelta(seconds=1):
        candidate -= timedelta(days=1)
    return _existing(candidate, tz)


def to_rfc3339(when: datetime) -> str:
    """UTC RFC 3339 with a Z, microseconds kept only when present (what `isoformat` does)."""
    utc = when if when.tzinfo is UTC else when.astimezone(UTC)
    return utc.isoformat()[:-6] + "Z"  # "+00:00" -> "Z"


def from_rfc3339(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)  # Python 3.11 reads a "Z" itself
    if parsed.tzinfo is None:
        raise ValueError(f"time {text!r} has no zone")
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def show(when: datetime | None, tz: tzinfo, *, date: bool = True) -> str:
    """A time as people read it in the journal's zone; '—' when unknown."""
    if when is None:
        return "—"
    local = when.astimezone(tz)
    fmt = "%Y-%m-%d %H:%M %Z" if date else "%H:%M"
    return local.strftime(fmt)


def human_duration(delta: timedelta | None) -> str:
    """'1h 05m', '3d 2h', '42s'; '—' when unknown."""
    if delta is None:
        return "—"
    return human_seconds(int(delta.total_seconds()))


def human_seconds(seconds: int) -> str:
    """`human_duration` of a whole number of seconds."""
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{secs}s"


def _next_clock_time(match: re.Match[str], tz: tzinfo, now: datetime) -> datetime | None:
    """A clock time as a due time: the next one (today if still ahead, else tomorrow)."""
    past = _clock_time(match, tz, now)
    if past is None:
        return None
    local = past.astimezone(tz)
    ahead = local + timedelta(days=1)  # the same wall-clock time a day later
    return _existing(ahead.replace(tzinfo=None).replace(tzinfo=tz), tz)


def day_word(when: datetime, tz: tzinfo, now: datetime) -> str:
    """Which day `when` is, seen from `now` in `tz`: 'today', 'yesterday', 'tomorrow',
    '3 days ago', 'in 2 days'."""
    days = (when.astimezone(tz).date() - now.astimezone(tz).date()).days
    named = {0: "today", -1: "yesterday", 1: "tomorrow"}
    if days in named:
        return named[days]
    return f"{-days} days ago" if days < 0 else f"in {days} days"


def resolved(when: datetime, tz: tzinfo, now: datetime) -> str:
    """A time a person typed, as it was understood: '2026-12-02 09:00 UTC, yesterday'."""
    return f"{show(when, tz)}, {day_word(when, tz, now)}"


def is_clock_time(text: str) -> bool:
    """Whether a typed time is a bare clock time ('09:00'): the one form that does not say which
    day it means ('2h ago' and ISO 8601 do)."""
    return _CLOCK.match(text.strip()) is not None


BACKDATE_LIMIT = timedelta(hours=1)


def backdate_problem(
    text: str, when: datetime, opened_at: datetime, tz: tzinfo, now: datetime
) -> str | None:
    """Why a clock time cannot be taken as it stands: it falls more than an hour before the
    incident opened (`--at 09:00` typed at 07:30 means yesterday); None when fine."""
    if not is_clock_time(text) or when >= opened_at - BACKDATE_LIMIT:
        return None
    local = when.astimezone(tz).strftime("%Y-%m-%dT%H:%M")
    return (
        f"--at {text.strip()} is {resolved(when, tz, now)}, {human_duration(opened_at - when)} "
        f"before the incident opened: to mean that, give the date, e.g. --at {local}"
    )
