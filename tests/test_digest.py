"""`ij digest`: per open incident, what changed in the period, what is open per stream, the next
updates due and the follow-ups added; Markdown, or --json."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from conftest import Run, ij_subprocess

DAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _two_days(run: Run) -> None:
    with time_machine.travel(DAY, tick=False):
        run(
            "open",
            "Orders missing after migration",
            "--sev",
            "2",
            "--ic",
            "alice",
            "--id",
            "orders",
        )
        run("decide", "Freeze the migration", "--why", "rows are missing")
        run("open", "Slow search", "--sev", "3", "--id", "search")
        run("status", "resolved", "-i", "search")
    with time_machine.travel(DAY + timedelta(hours=20), tick=False):
        run(
            "stream",
            "open",
            "restore",
            "--lead",
            "bob",
            "--goal",
            "replay the missing rows",
            "-i",
            "orders",
        )
        run("ask", "Which tables lost rows?", "-s", "restore", "--owner", "carol", "-i", "orders")
        run(
            "decide",
            "Replay from the 02:00 backup",
            "--why",
            "it predates the migration",
            "-i",
            "orders",
        )
        run("action", "Add a row-count check to migrations", "--follow-up", "-i", "orders")
        run("update", "exec", "replay under way", "-i", "orders")


def test_the_digest_of_the_last_day(run: Run, journal_dir: Path) -> None:
    _two_days(run)
    with time_machine.travel(DAY + timedelta(hours=30), tick=False):
        text = run("digest").stdout
    assert text.startswith("# Digest since 2026-11-23 15:00 UTC\n")
    assert "## Orders missing after migration (`2026-11-23-orders`) — SEV2 · investigating" in text
    assert "Slow search" not in text  # resolved: only with --all
    assert "- **Decided:** Replay from the 02:00 backup — because it predates the migration" in text
    assert "Freeze the migration" not in text  # older than the period
    assert "- **Workstream:** restore opened (lead: bob) — replay the missing rows" in text
    assert "- **restore** (lead: bob): replay the missing rows — 1 question open" in text
    assert "- outside any stream: 1 action open" in text
    assert "- exec: OVERDUE" in text
    assert (
        "**Follow-ups added**" in text
        and "Add a row-count check to migrations — **no owner**" in text
    )


def test_the_digest_as_json_and_with_all(run: Run, journal_dir: Path) -> None:
    _two_days(run)
    with time_machine.travel(DAY + timedelta(hours=30), tick=False):
        data = json.loads(run("digest", "--json", "--all", "--since", "2d").stdout)
        quiet = run("digest", "--since", "1h").stdout
    assert data["since"] == "2026-11-22T15:00:00Z"
    ids = [i["id"] for i in data["incidents"]]
    assert ids == ["2026-11-23-orders", "2026-11-23-search"]
    orders = data["incidents"][0]
    assert "Decided: Freeze the migration — because rows are missing" in orders["changes"]
    assert orders["streams"] == [{"lead": "bob", "name": "restore", "open": "1 question open"}]
    assert orders["follow_ups"][0]["text"] == "Add a row-count check to migrations"
    assert "- No change since 2026-11-24 14:00 UTC." in quiet


def test_digest_from_a_real_process_and_a_bad_period(run: Run, journal_dir: Path) -> None:
    run("open", "Orders missing", "--sev", "2", "--id", "orders")
    done = ij_subprocess(journal_dir, "digest", "--since", "2h")
    assert done.returncode == 0, done.stderr
    assert "## Orders missing" in done.stdout
    bad = run("digest", "--since", "last week", code=2)
    assert bad.stderr.startswith("ij: error: cannot read time 'last week'")
