"""`ij stats`: per severity counts, open counts, median and p90 of TTD / TTM / TTR."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, snapshot
from incident_fixture import write

from incjournal import stats, trends
from incjournal.cli.review import _stats_tables
from incjournal.core.model import Entry, IncidentMeta, Kind

DAY = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def incident(
    root: Path,
    n: int,
    sev: int | None,
    *,
    late: int = 0,
    mitigate: int | None = None,
    resolve: int | None = None,
    day: int = 0,
) -> None:
    """Incident n: impact `late` minutes before opening, then monitoring/resolved after opening."""
    opened = DAY + timedelta(days=day, hours=n)
    meta = IncidentMeta(f"2026-05-{4 + day:02d}-inc{n}", f"Incident {n}", opened, "alice")

    def entry(kind: Kind, minutes: int, **fields: Any) -> Entry:
        at = opened + timedelta(minutes=minutes)
        return Entry(
            f"s{n:02d}{kind.value[:3]}{minutes + 100:03d}", kind, at, at, "alice", **fields
        )

    entries = [entry(Kind.OPEN, 0, text=meta.title, level=sev)]
    if late:
        entries.append(entry(Kind.MILESTONE, -late, milestone="started"))
    if mitigate is not None:
        entries.append(entry(Kind.STATUS, mitigate, state="monitoring"))
    if resolve is not None:
        entries.append(entry(Kind.STATUS, resolve, state="resolved"))
    write(root, meta, entries)


@pytest.fixture
def journal(journal_dir: Path) -> Path:
    incident(journal_dir, 1, 1, late=10, mitigate=20, resolve=60)  # ttd 10, ttm 30, ttr 70
    incident(journal_dir, 2, 1, late=0, mitigate=40, resolve=100)  # ttd 0, ttm 40, ttr 100
    incident(journal_dir, 3, 1, late=30, mitigate=None, resolve=None)  # open, never mitigated
    incident(journal_dir, 4, 2, late=5, resolve=15, day=2)  # resolved without monitoring
    incident(journal_dir, 5, None, day=3)  # no severity, open
    return journal_dir


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [float(v) for v in range(1, 11)]
    assert stats.percentile(values, 0.5) == 5.5
    assert stats.percentile(values, 0.9) == pytest.approx(9.1)
    assert stats.percentile([7.0], 0.9) == 7.0
    assert stats.percentile([3.0, 1.0], 0.5) == 2.0
    with pytest.raises(ValueError):
        stats.percentile([], 0.5)


def test_stats_json_per_severity(run: Run, journal: Path) -> None:
    data = json.loads(run("stats", "--json").stdout)
    assert data["incidents"] == 5 and data["since"] is None
    assert [(g["label"], g["count"], g["open"]) for g in data["by_severity"]] == [
        ("SEV1", 3, 1),
        ("SEV2", 1, 0),
        ("unset", 1, 1),
    ]
    sev1 = data["by_severity"][0]
    assert sev1["ttd"] == {"n": 3, "median_s": 600, "p90_s": 1560}  # 0, 10, 30 min
    assert sev1["ttm"] == {"n": 2, "median_s": 2100, "p90_s": 2340}  # 30, 40 min
    assert sev1["ttr"] == {"n": 2, "median_s": 5100, "p90_s": 5820}  # 70, 100 min
    sev2 = data["by_severity"][1]
    assert sev2["ttm"] == sev2["ttr"] == {"n": 1, "median_s": 1200, "p90_s": 1200}
    assert data["all"]["count"] == 5 and data["all"]["open"] == 2
    assert data["all"]["ttr"]["n"] == 3


def test_since_keeps_incidents_opened_then_or_later(run: Run, journal: Path) -> None:
    data = json.loads(run("stats", "--since", "2026-05-06T00:00:00Z", "--json").stdout)
    assert data["since"] == "2026-05-06T00:00:00Z"
    assert data["incidents"] == 2
    assert [g["label"] for g in data["by_severity"]] == ["SEV2", "unset"]


def test_plain_table_when_piped(run: Run, journal: Path) -> None:
    lines = run("stats").stdout.splitlines()
    assert lines[0].split() == [
        "severity", "count", "open",
        "TTD", "median", "TTD", "p90", "TTM", "median", "TTM", "p90", "TTR", "median", "TTR", "p90",
    ]  # fmt: skip
    assert lines[1].split() == [
        "SEV1",
        "3",
        "1",
        "10m",
        "26m",
        "35m",
        "39m",
        "1h",
        "25m",
        "1h",
        "37m",
    ]
    assert lines[3].split() == ["unset", "1", "1", "0s", "0s", "—", "—", "—", "—"]
    assert lines[4].split()[:3] == ["all", "5", "2"]


def test_rich_table_on_a_terminal(journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from incjournal.store.journal import Journal

    incidents = stats.collect(Journal(journal))
    months = trends.by_month(incidents, UTC)
    _stats_tables(stats.by_severity(incidents), months, rich=True)
    out = capsys.readouterr().out
    assert "Incidents by severity" in out and "severity" in out
    assert "│ SEV1 " in out and "│ 1h 25m / 1h 37m │" in out
    assert "By month" in out and "│ 2026-05 │" in out


def test_empty_journal(run: Run, journal_dir: Path) -> None:
    data = json.loads(run("stats", "--json").stdout)
    assert data["incidents"] == 0 and data["by_severity"] == []
    assert data["all"]["ttd"] == {"n": 0, "median_s": None, "p90_s": None}
    assert run("stats").stdout.splitlines()[1].split()[:3] == ["all", "0", "0"]


def test_bad_since(run: Run, journal: Path) -> None:
    before = snapshot(journal)
    result = run("stats", "--since", "last tuesday", code=2)
    assert result.stderr.startswith("ij: error: cannot read time 'last tuesday'")
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(journal) == before
