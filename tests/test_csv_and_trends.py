"""`ij stats` per month (counts per peak severity, MTTD / MTTM / MTTR) and `--format csv` of
`timeline` and `stats`, read back as a spreadsheet would read them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, entry_id, ij_subprocess, set_zone, snapshot
from incident_fixture import write

from incjournal.core.model import Entry, IncidentMeta, Kind


def _incident(root: Path, name: str, opened: datetime, sev: int, **minutes: int) -> None:
    """An incident opened at `opened`: impact began `late` minutes before, mitigated and
    resolved `mitigate` / `resolve` minutes after opening (left out: not yet)."""

    def entry(kind: Kind, after: int, **fields: Any) -> Entry:
        at = opened + timedelta(minutes=after)
        return Entry(f"{name}{kind.value[:3]}{after + 100:03d}", kind, at, at, "alice", **fields)

    entries = [entry(Kind.OPEN, 0, text=name, level=sev)]
    if "late" in minutes:
        entries.append(entry(Kind.MILESTONE, -minutes["late"], milestone="started"))
    if "mitigate" in minutes:
        entries.append(entry(Kind.STATUS, minutes["mitigate"], state="monitoring"))
    if "resolve" in minutes:
        entries.append(entry(Kind.STATUS, minutes["resolve"], state="resolved"))
    meta = IncidentMeta(f"{opened:%Y-%m-%d}-{name}", name, opened, "alice")
    write(root, meta, entries)


@pytest.fixture
def quarter(journal_dir: Path) -> Path:
    """January: two SEV1s; February: none (in Auckland); March: a SEV2 still open. The last
    January incident opened on 31 January in UTC, which is already February in Auckland."""
    set_zone(journal_dir, "Pacific/Auckland")
    jan = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)
    _incident(journal_dir, "a", jan, 1, late=10, mitigate=20, resolve=50)  # ttd 10 ttm 30 ttr 60
    _incident(journal_dir, "b", jan + timedelta(days=2), 1, late=30, mitigate=30, resolve=90)
    _incident(journal_dir, "c", datetime(2026, 1, 31, 20, 0, tzinfo=UTC), 2, mitigate=10)
    _incident(journal_dir, "d", datetime(2026, 3, 5, 1, 0, tzinfo=UTC), 2)
    return journal_dir


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_stats_by_month_in_the_journals_zone(run: Run, quarter: Path) -> None:
    rows = _csv(run("stats", "--by", "month", "--format", "csv").stdout)
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03"]  # no hole in the axis
    jan, feb, mar = rows
    assert (jan["incidents"], jan["sev1"], jan["sev2"]) == ("2", "2", "0")
    assert (feb["incidents"], feb["sev1"], feb["sev2"]) == ("1", "0", "1")  # 1 Feb in Auckland
    assert (mar["incidents"], mar["sev2"]) == ("1", "1")
    assert (jan["mttd_n"], jan["mttd_s"]) == ("2", str(20 * 60))  # mean of 10 and 30 minutes
    assert (jan["mttm_n"], jan["mttm_s"]) == ("2", str(45 * 60))  # 30 and 60
    assert (jan["mttr_n"], jan["mttr_s"]) == ("2", str(90 * 60))  # 60 and 120
    assert (feb["mttm_s"], feb["mttr_n"], feb["mttr_s"]) == (str(10 * 60), "0", "")  # not known
    assert (mar["mttm_n"], mar["mttm_s"]) == ("0", "")


def test_stats_json_holds_the_months(run: Run, quarter: Path) -> None:
    months = json.loads(run("stats", "--json").stdout)["months"]
    assert [m["month"] for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert months[0]["by_severity"] == {"SEV1": 2, "SEV2": 0}
    assert months[0]["mttr"] == {"n": 2, "mean_s": 90 * 60}
    assert months[2]["mttm"] == {"n": 0, "mean_s": None}


def test_stats_table_shows_both_and_by_narrows_it(run: Run, quarter: Path) -> None:
    both = run("stats").stdout
    assert "severity" in both.splitlines()[0]
    month_lines = [line.split() for line in both.splitlines() if line.startswith("2026-")]
    assert month_lines[0][:4] == ["2026-01", "2", "2", "0"] and month_lines[0][4:] == [
        "20m",
        "45m",
        "1h",
        "30m",
    ]
    assert month_lines[1][-1] == "—"  # February's incident is not resolved
    assert "2026-" not in run("stats", "--by", "severity").stdout
    assert run("stats", "--by", "month").stdout.splitlines()[0].split()[:2] == [
        "month",
        "incidents",
    ]


def test_stats_csv_per_severity_in_seconds(run: Run, quarter: Path) -> None:
    rows = {r["severity"]: r for r in _csv(run("stats", "--format", "csv").stdout)}
    assert list(rows) == ["SEV1", "SEV2", "all"]
    assert rows["SEV1"]["count"] == "2" and rows["SEV1"]["open"] == "0"
    assert rows["SEV1"]["ttd_median_s"] == str(20 * 60)
    assert rows["SEV2"]["ttr_n"] == "0" and rows["SEV2"]["ttr_median_s"] == ""


def test_timeline_csv_keeps_the_whole_text_and_guards_formulas(
    run: Run, journal_dir: Path, incident: str
) -> None:
    set_zone(journal_dir, "America/New_York")
    table = "NAME            READY   STATUS\ncheckout-7f9    0/1     CrashLoopBackOff"
    pasted = entry_id(run("note", table, "-t", "pods"))
    formula = entry_id(run("decide", '=HYPERLINK("http://x")', "--why", "roll back first"))
    rows = _csv(run("timeline", "--format", "csv").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id[pasted]["text"] == table and by_id[pasted]["tags"] == "pods"
    assert by_id[formula]["text"] == '\'=HYPERLINK("http://x")'  # shown, never run
    assert by_id[formula]["kind"] == "decision" and by_id[formula]["why"] == "roll back first"
    for row in rows:
        utc = datetime.fromisoformat(row["at"].replace("Z", "+00:00"))
        local = datetime.fromisoformat(row["local_time"])
        assert local == utc.replace(microsecond=0) and local.utcoffset() in (
            timedelta(hours=-5),
            timedelta(hours=-4),
        )
    assert [r["id"] for r in rows] == [
        json.loads(line.rstrip(","))["id"]
        for line in run("timeline", "--json").stdout.splitlines()[1:-1]
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("timeline", "--format", "xlsx"), "ij: error: unknown format 'xlsx': use table or csv\n"),
        (
            ("timeline", "--format", "csv", "--json"),
            "ij: error: --json and --format csv exclude each other: give one of them\n",
        ),
        (("stats", "--by", "week"), "ij: error: unknown --by 'week': use severity or month\n"),
        (("stats", "--format", "tsv"), "ij: error: unknown format 'tsv': use table or csv\n"),
    ],
)
def test_bad_formats_are_one_line(
    run: Run, journal_dir: Path, incident: str, args: tuple[str, ...], said: str
) -> None:
    before = snapshot(journal_dir)
    assert run(*args, code=2).stderr == said
    assert snapshot(journal_dir) == before


def test_csv_from_a_real_process(quarter: Path) -> None:
    done = ij_subprocess(quarter, "stats", "--by", "month", "--format", "csv")
    assert done.returncode == 0 and done.stderr == ""
    assert [r["month"] for r in _csv(done.stdout)] == ["2026-01", "2026-02", "2026-03"]
    timeline = ij_subprocess(quarter, "timeline", "-i", "2026-01-10-a", "--format", "csv")
    assert [r["kind"] for r in _csv(timeline.stdout)] == ["milestone", "open", "status", "status"]
