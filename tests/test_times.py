from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from incjournal.core.errors import BadTime
from incjournal.core.times import human_duration, parse_duration, parse_time, show, to_rfc3339

NOW = datetime(2026, 11, 23, 12, 0, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m ago", NOW - timedelta(minutes=15)),
        ("2h ago", NOW - timedelta(hours=2)),
        ("1d ago", NOW - timedelta(days=1)),
        ("-15m", NOW - timedelta(minutes=15)),
        ("now", NOW),
        ("2026-11-23T10:00:00Z", datetime(2026, 11, 23, 10, tzinfo=UTC)),
        ("2026-11-23T10:00:00+02:00", datetime(2026, 11, 23, 8, tzinfo=UTC)),
    ],
)
def test_relative_and_iso_times(text: str, expected: datetime) -> None:
    assert parse_time(text, UTC, NOW) == expected


def test_clock_time_is_today_in_the_journal_zone() -> None:
    # 12:00:30 UTC is 13:00:30 in Berlin: "12:45" Berlin is 11:45 UTC today
    assert parse_time("12:45", BERLIN, NOW) == datetime(2026, 11, 23, 11, 45, tzinfo=UTC)


def test_clock_time_later_than_now_means_yesterday() -> None:
    assert parse_time("23:10:05", UTC, NOW) == datetime(2026, 11, 22, 23, 10, 5, tzinfo=UTC)


def test_iso_without_zone_is_read_in_the_journal_zone() -> None:
    assert parse_time("2026-11-23T09:00", BERLIN, NOW) == datetime(2026, 11, 23, 8, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday-ish", "25:00", "12:61", "15 minutes", "", "m ago"])
def test_unreadable_times_are_clear_errors(text: str) -> None:
    with pytest.raises(BadTime, match="cannot read time"):
        parse_time(text, UTC, NOW)


def test_future_time_is_refused_unless_allowed() -> None:
    with pytest.raises(BadTime, match="in the future"):
        parse_time("2026-11-24T00:00:00Z", UTC, NOW)
    assert parse_time("+2h", UTC, NOW, future=True) == NOW + timedelta(hours=2)


def test_durations() -> None:
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("45s") == timedelta(seconds=45)
    with pytest.raises(BadTime):
        parse_duration("soon")


def test_display() -> None:
    assert to_rfc3339(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert show(datetime(2026, 7, 1, 12, tzinfo=UTC), BERLIN) == "2026-07-01 14:00 CEST"
    assert show(None, BERLIN) == "—"
    assert human_duration(timedelta(hours=1, minutes=5)) == "1h 05m"
    assert human_duration(None) == "—"
