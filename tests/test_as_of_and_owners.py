"""Issue 15 points 5 and 7, stats by peak severity, and `ij sev` at the current severity.

What we knew then (`--as-of`: the entries recorded by T), every answer kept, `ij assign`
changing an item's owner and due time, and the no-op severity change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from conftest import Run, entry_id, git, ij_subprocess, set_zone, snapshot

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock(run: Run, journal_dir: Path) -> Iterator[time_machine.Coordinates]:
    """An incident opened at 10:00 UTC in a journal that shows UTC; the clock moves as the test
    says."""
    set_zone(journal_dir, "UTC")
    with time_machine.travel(T0, tick=False) as traveller:
        run("open", "Checkout fails", "--sev", "2", "--ic", "alice", "--id", "co")
        yield traveller


def minute(traveller: time_machine.Coordinates, n: int) -> None:
    traveller.move_to(T0 + timedelta(minutes=n))


# --as-of ----------------------------------------------------------------------------------------
def test_show_and_brief_as_of_give_what_was_known_then(
    run: Run, clock: time_machine.Coordinates
) -> None:
    minute(clock, 5)
    run("hypothesis", "pool exhaustion")
    minute(clock, 20)
    run("impact", "EU customers cannot pay")
    # typed at 10:40 about 10:10: not known at 10:30, though it happened before
    minute(clock, 40)
    run("note", "the 10:10 deploy doubled the pool", "--at", "10:10")
    run("status", "monitoring")
    then = run("show", "--markdown", "--as-of", "10:30").stdout
    assert "_As the journal stood at 2026-12-02 10:30 UTC: entries recorded by then._" in then
    assert "EU customers cannot pay" in then and "pool exhaustion" in then
    assert "doubled the pool" not in then
    assert "| Status | **investigating** |" in then
    assert "| Open for | 30m |" in then
    later = run("show", "--markdown").stdout
    assert "doubled the pool" in later and "| Status | **monitoring** |" in later
    brief = run("brief", "--for", "exec", "--as-of", "10:30").stdout
    assert "_Executive summary · as of 10:30 UTC_" in brief
    assert "- **Status:** Investigating · open for 30m (since 10:00 UTC)" in brief
    earlier = run("brief", "--for", "responders", "--as-of", "10:03").stdout
    assert "EU customers cannot pay" not in earlier and "pool exhaustion" not in earlier


def test_an_update_backdated_without_text_stores_the_brief_as_of_then(
    run: Run, clock: time_machine.Coordinates
) -> None:
    minute(clock, 10)
    run("impact", "EU customers cannot pay")
    minute(clock, 30)
    run("status", "monitoring", "rollback done")
    minute(clock, 35)
    uid = run("update", "exec", "--at", "10:15").stdout.split()[3]
    data = json.loads(run("export", "--format", "json").stdout)
    sent = next(e for e in data["entries"] if e["id"] == uid)
    assert "as of 10:15 UTC" in sent["text"]
    assert "Investigating · open for 15m" in sent["text"]
    assert "Monitoring" not in sent["text"]


def test_as_of_refuses_write_and_bad_times(run: Run, clock: object, journal_dir: Path) -> None:
    before = snapshot(journal_dir)
    result = run("brief", "--for", "exec", "--as-of", "10:00", "--write", code=2)
    assert result.stderr == (
        "ij: error: --as-of shows a past brief; it cannot be written: drop --write\n"
    )
    result = run("show", "--as-of", "yesterday-ish", code=2)
    assert result.stderr.startswith("ij: error: cannot read time 'yesterday-ish'")
    assert snapshot(journal_dir) == before


# answers ----------------------------------------------------------------------------------------
def test_a_second_answer_is_recorded_and_every_answer_is_listed(
    run: Run, clock: time_machine.Coordinates
) -> None:
    minute(clock, 2)
    question = entry_id(run("ask", "Did the deploy change the pool?", "--owner", "bob"))
    minute(clock, 5)
    first = run("answer", question, "Yes: 50 to 5", "--by", "Bob <bob@example.com>")
    assert len(first.stdout.splitlines()) == 1
    minute(clock, 6)
    second = run("answer", question[:4], "Yes, and the replica too", "--by", "Carol <c@x.org>")
    assert second.exit_code == 0
    assert second.stdout.splitlines()[1] == (
        f"  question {question} was already answered ({entry_id(first)} by Bob, "
        "2026-12-02 10:05 UTC): this answer is recorded too"
    )
    for text in (
        run("show", "--markdown").stdout,
        run("handoff").stdout,
        run("review").stdout,
    ):
        assert "Did the deploy change the pool? → Yes: 50 to 5" in text
        assert "  - also answered: Yes, and the replica too" in text
    state = json.loads(run("show", "--json").stdout)
    assert state["questions"][0]["answers"] == [entry_id(first), entry_id(second)]


def test_answer_refuses_what_is_not_a_question(run: Run, clock: object) -> None:
    note = entry_id(run("note", "pool at 5/5"))
    result = run("answer", note, "yes", code=2)
    assert (
        result.stderr
        == f"ij: error: entry {note} is a note, not a question: `ij answer` takes a question\n"
    )


# assign -----------------------------------------------------------------------------------------
def test_assign_changes_owner_and_due_and_keeps_the_history(
    run: Run, clock: time_machine.Coordinates, journal_dir: Path
) -> None:
    minute(clock, 1)
    action = entry_id(run("action", "Roll back the deploy"))
    risk = entry_id(run("risk", "Rollback may drop orders"))
    minute(clock, 3)
    result = run("assign", action, "--owner", "carol", "--due", "10:30", "--by", "Dana <d@x.org>")
    assert result.stdout.splitlines() == [
        result.stdout.splitlines()[0],
        "  due 2026-12-02 10:30 UTC, today",
    ]
    assert result.stdout.startswith("assigned ")
    run("assign", risk, "--owner", "erin")
    state = json.loads(run("show", "--json").stdout)
    assert (state["actions"][0]["owner"], state["actions"][0]["due"]) == (
        "carol",
        "2026-12-02T10:30:00Z",
    )
    assert state["risks"][0]["owner"] == "erin"
    brief = run("brief", "--for", "responders").stdout
    assert "Roll back the deploy — carol, due 10:30 UTC" in brief
    minute(clock, 45)
    nudges = run("nudges", "--json", code=None).stdout
    assert "carol" in nudges  # the overdue action names its current owner
    log = git(journal_dir, "log", "--format=%an|%s", "-3")
    assert f"Dana|co: assign: {action} → carol" in log.replace("2026-12-02-co", "co")
    assert "Roll back the deploy → reassigned to carol; new due time" in run("review").stdout
    timeline = run("timeline", "--kind", "assign").stdout
    assert f"{action} → carol" in timeline and f"{risk} → erin" in timeline


def test_assign_refuses_bad_targets_and_nothing_to_change(
    run: Run, clock: time_machine.Coordinates, journal_dir: Path
) -> None:
    action = entry_id(run("action", "Roll back"))
    hypothesis = entry_id(run("hypothesis", "pool"))
    minute(clock, 1)
    run("done", action)
    before = snapshot(journal_dir)
    errors = {
        ("assign", action): "nothing to change: give --owner P and/or --due T",
        ("assign", action, "--owner", "bob"): f"action {action} is already closed (done ",
        ("assign", hypothesis, "--owner", "bob"): f"entry {hypothesis} is a hypothesis, not an "
        "action, a question or a risk: `ij assign` takes an action, a question or a risk",
        ("assign", action, "--owner", " "): "empty --owner",
        ("assign", action, "--due", "soon"): "cannot read time 'soon'",
    }
    for args, message in errors.items():
        assert message in run(*args, code=2).stderr
    assert snapshot(journal_dir) == before


def test_assign_in_a_real_process(journal_dir: Path) -> None:
    def ij(*args: str) -> str:
        done = ij_subprocess(journal_dir, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    ij("open", "Checkout fails", "--id", "sub")
    question = ij("ask", "Who changed the pool?").split()[1]
    ij("assign", question, "--owner", "bob", "--due", "+1h")
    state = json.loads(ij("show", "--json"))
    assert state["questions"][0]["owner"] == "bob"
    assert state["questions"][0]["due"] is not None


# severity ---------------------------------------------------------------------------------------
def test_sev_at_the_current_severity_records_nothing(
    run: Run, clock: object, journal_dir: Path
) -> None:
    before = snapshot(journal_dir)
    result = run("sev", "2", "--why", "still bad")
    assert (result.stdout, result.stderr) == ("severity is already SEV2: nothing recorded\n", "")
    assert snapshot(journal_dir) == before
    assert run("sev", "sev1").stdout.startswith("severity ")


def test_stats_group_by_peak_severity(run: Run, clock: time_machine.Coordinates) -> None:
    minute(clock, 5)
    run("sev", "1", "--why", "all EU checkouts fail")
    minute(clock, 20)
    run("sev", "3", "--why", "recovered")
    run("status", "resolved")
    rows = json.loads(run("stats", "--json").stdout)["by_severity"]
    assert [(r["label"], r["count"]) for r in rows] == [("SEV1", 1)]
    assert run("list", "--all").stdout.split()[3] == "SEV3"  # list keeps the current one
