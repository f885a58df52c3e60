"""Issue 15 point 4: time words mean what a person means.

`--due HH:MM` is the next such time (today if still ahead, else tomorrow); `--at HH:MM` the most
recent past one. A write whose time is not "now" echoes the time as it was understood, and a time
typed as a bare clock time that lands more than an hour before the incident opened is refused
(exit 2, nothing written): the user gives the date (or how long ago) to mean it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from conftest import Run, ij_subprocess, snapshot

from incjournal.core.times import day_word, parse_time

DAY = datetime(2026, 12, 2, tzinfo=UTC)


def clock(hh_mm: str, day: int = 0) -> datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return DAY + timedelta(days=day, hours=hours, minutes=minutes)


@pytest.mark.parametrize(
    ("now", "typed", "due", "at"),
    [
        ("14:00", "16:00", clock("16:00"), clock("16:00", -1)),  # ahead today
        ("14:00", "09:00", clock("09:00", 1), clock("09:00")),  # passed today
        ("23:30", "00:15", clock("00:15", 1), clock("00:15")),  # across midnight
        ("23:30", "23:45", clock("23:45"), clock("23:45", -1)),
        ("00:10", "23:50", clock("23:50"), clock("23:50", -1)),  # just after midnight
        ("14:00", "14:00", clock("14:00", 1), clock("14:00")),  # now: due is tomorrow
    ],
)
def test_due_is_the_next_such_time_and_at_the_last(
    now: str, typed: str, due: datetime, at: datetime
) -> None:
    assert parse_time(typed, UTC, clock(now), future=True) == due
    assert parse_time(typed, UTC, clock(now)) == at


def test_due_keeps_the_wall_clock_time_across_a_zone_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # clocks went back on 2026-10-25
    now = datetime(2026, 10, 24, 20, 0, tzinfo=berlin)
    due = parse_time("09:00", berlin, now.astimezone(UTC), future=True)
    assert due.astimezone(berlin).replace(tzinfo=None) == datetime(2026, 10, 25, 9, 0)


def test_day_words() -> None:
    words = [day_word(clock("12:00", d), UTC, clock("01:00")) for d in (-3, -1, 0, 1, 2)]
    assert words == ["3 days ago", "yesterday", "today", "tomorrow", "in 2 days"]


@pytest.fixture
def late(run: Run) -> Iterator[tuple[Run, time_machine.Coordinates]]:
    """An incident opened at 23:20; the clock at 23:30, half an hour before midnight."""
    with time_machine.travel(clock("23:20"), tick=False) as traveller:
        run("open", "Checkout fails", "--id", "co")
        traveller.move_to(clock("23:30"))
        yield run, traveller


def test_action_due_across_midnight_is_tomorrow_and_is_echoed(late: tuple[Run, object]) -> None:
    run, _ = late
    result = run("action", "page the DBA", "--owner", "bob", "--due", "00:15")
    assert result.stdout.splitlines()[1] == "  due 2026-12-03 00:15 UTC, tomorrow"
    result = run("action", "drain the queue", "--due", "23:45")
    assert result.stdout.splitlines()[1] == "  due 2026-12-02 23:45 UTC, today"
    actions = json.loads(run("show", "--json").stdout)["actions"]
    assert sorted(a["due"] for a in actions) == ["2026-12-02T23:45:00Z", "2026-12-03T00:15:00Z"]
    nudges = run("nudges", "--json", code=None).stdout
    assert "overdue" not in nudges  # neither is overdue the moment it is made


def test_an_action_written_up_later_is_due_from_its_own_time(late: tuple[Run, object]) -> None:
    """At 23:30, an action agreed at 23:22 'due 23:25' was due at 23:25 today (and is late),
    not tomorrow; '+5m' is five minutes after 23:22."""
    run, _ = late
    lines = run("action", "roll back", "--at", "23:22", "--due", "23:25").stdout.splitlines()
    assert lines[1:] == ["  at 2026-12-02 23:22 UTC, today", "  due 2026-12-02 23:25 UTC, today"]
    lines = run("action", "drain", "--at", "23:22", "--due", "+5m").stdout.splitlines()
    assert lines[2] == "  due 2026-12-02 23:27 UTC, today"


def test_a_backdated_write_echoes_the_time_as_understood(late: tuple[Run, object]) -> None:
    run, _ = late
    result = run("note", "first errors in the logs", "--at", "23:25")
    assert result.stdout.splitlines()[1:] == ["  at 2026-12-02 23:25 UTC, today"]
    assert len(run("note", "now").stdout.splitlines()) == 1  # "now" is not echoed


def test_a_clock_time_after_midnight_means_yesterday_evening(
    late: tuple[Run, time_machine.Coordinates],
) -> None:
    run, traveller = late
    traveller.move_to(clock("00:10", 1))
    result = run("status", "monitoring", "--at", "23:50")
    assert result.stdout.splitlines()[1] == "  at 2026-12-02 23:50 UTC, yesterday"


def test_a_time_long_before_the_incident_asks_for_a_date(
    late: tuple[Run, time_machine.Coordinates], journal_dir: Path
) -> None:
    run, _ = late
    before = snapshot(journal_dir)
    result = run("mark", "started", "--at", "21:00", code=2)
    assert result.stderr == (
        "ij: error: --at 21:00 is 2026-12-02 21:00 UTC, today, 2h 20m before the incident "
        "opened: to mean that, give the date, e.g. --at 2026-12-02T21:00\n"
    )
    assert result.stdout == ""
    assert snapshot(journal_dir) == before
    result = run("mark", "started", "--at", "2026-12-02T21:00")
    assert result.stdout.splitlines()[1] == "  at 2026-12-02 21:00 UTC, today"
    result = run("mark", "detected", "--at", "3h ago")  # says how far back: taken as it is
    assert result.stdout.splitlines()[1] == "  at 2026-12-02 20:30 UTC, today"
    run("note", "within the hour before opening is fine", "--at", "22:30")


def test_backdate_refused_in_a_real_process(journal_dir: Path) -> None:
    opened = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    done = ij_subprocess(journal_dir, "open", "Checkout fails", "--at", opened.isoformat())
    assert done.returncode == 0, done.stderr
    typed = (opened - timedelta(hours=2)).strftime("%H:%M")
    done = ij_subprocess(journal_dir, "note", "from the logs", "--at", typed)
    assert done.returncode == 2
    assert done.stderr.startswith(f"ij: error: --at {typed} is ")
    assert "give the date, e.g. --at " in done.stderr and "Traceback" not in done.stderr
    done = ij_subprocess(journal_dir, "action", "check the pool", "--due", "+2h")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("  due ")
