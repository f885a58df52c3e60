"""`ij nudges` and `ij snooze` through the real CLI: an incident walked from open to resolved on a
clock we control, with the advice a good incident commander would give at each step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from conftest import Run, entry_id, set_zone, snapshot

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
Shown = dict[str, dict[str, Any]]


class Clock:
    def __init__(self, traveller: time_machine.Coordinates) -> None:
        self.traveller = traveller

    def minute(self, minute: float) -> None:
        self.traveller.move_to(T0 + timedelta(minutes=minute))


@pytest.fixture
def clock() -> Iterator[Clock]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield Clock(traveller)


def shown(run: Run) -> Shown:
    """The nudges `ij nudges --json` lists; checks the exit code says whether any is urgent."""
    result = run("nudges", "--json", code=None)
    found = {n["id"]: n for n in json.loads(result.stdout)}
    urgent = any(n["level"] == "urgent" for n in found.values())
    assert result.exit_code == (1 if urgent else 0), result.stderr
    return found


def message(found: Shown, nudge_id: str) -> str:
    text: str = found[nudge_id]["message"]
    return text


def test_an_incident_from_open_to_resolved(run: Run, journal_dir: Path, clock: Clock) -> None:
    set_zone(journal_dir, "UTC")
    run("open", "Checkout errors in EU", "--sev", "2", "--id", "checkout")
    clock.minute(1)
    assert run("nudges").stdout == "Nothing to point out right now.\n"

    clock.minute(5)  # nobody has taken command
    found = shown(run)
    assert list(found) == ["no-ic"]
    assert "ask someone to take the role" in message(found, "no-ic")
    run("role", "ic", "alice")
    hyp = entry_id(run("hypothesis", "connection pool exhaustion after the 09:55 deploy"))

    clock.minute(10)  # nobody has said what customers see
    found = shown(run)
    assert list(found) == ["impact-missing"]
    assert "say who is affected and how, in plain words" in message(found, "impact-missing")
    run("impact", "About 30% of EU checkouts fail; retries usually work", "--public")
    question = entry_id(run("ask", "Did the deploy change the pool size?"))

    clock.minute(15)  # a question nobody is chasing
    assert "who will find out" in message(shown(run), f"unowned:{question}")
    run("answer", question, "Yes: from 50 to 5")

    clock.minute(25)  # updates coming up; the hypothesis has gone quiet
    found = shown(run)
    assert {"update-due:responders", "update-due:exec", "update-due:public"} <= set(found)
    assert "draft it with ij brief --for exec" in message(found, "update-due:exec")
    assert "Ask for a 30-second status" in message(found, f"hypothesis-stale:{hyp}")
    run("snooze", f"hypothesis-stale:{hyp[:4]}", "10m")
    assert f"hypothesis-stale:{hyp}" not in shown(run)

    clock.minute(31)  # updates overdue, still no mitigation: urgent, exit 1
    found = shown(run)
    assert found["update-overdue:exec"]["level"] == "urgent"
    assert "Mitigate first: is a rollback, failover or feature flag possible?" in message(
        found, "mitigate-first"
    )
    plain = run("nudges", code=1).stdout
    assert plain.startswith("urgent  update-overdue:responders\n        The responders update")
    assert f"snoozed hypothesis-stale:{hyp} until 2026-11-23 10:35 UTC" in plain
    _bad_snoozes_write_nothing(run, journal_dir)
    out = run("snooze", "update-overdue:exec", "10m").stdout
    assert "update-overdue:exec stays quiet until 2026-11-23 10:41 UTC" in out
    run("update", "responders", "Rolling back the 09:55 deploy; next update 11:00")
    run("update", "public", "We are rolling back a change; next update 11:00", "--public")
    assert not any(n["level"] == "urgent" for n in shown(run).values())

    clock.minute(41)  # the snooze ran out: the exec update is still owed
    assert shown(run)["update-overdue:exec"]["level"] == "urgent"
    run("update", "exec", "Rolling back; 30% of EU checkouts failing; next 11:10")
    run("note", f"{hyp[:4]}: pool at 5/5 busy since the deploy")
    action = entry_id(run("action", "Roll back 2026.11.3", "--owner", "bob", "--due", "+10m"))

    clock.minute(52)  # the rollback was due a minute ago
    assert "check in with bob" in message(shown(run), f"action-overdue:{action}")
    run("done", action, "rolled back")
    run("confirm", hyp, "pool size fix restores throughput")
    run("status", "monitoring", "error rate back to baseline")
    assert "mitigate-first" not in shown(run)

    clock.minute(62)  # status moved; impact statement and public text did not
    found = shown(run)
    assert "predates the move to monitoring at 10:52" in message(found, "impact-stale")
    assert "post a message that matches" in message(found, "public-stale")
    run("impact", "No failed checkouts since 10:52", "--public")
    run("update", "public", "A fix is in place and we are monitoring.", "--public")
    run("update", "responders", "Monitoring")
    run("update", "exec", "Mitigated at 10:52; monitoring")
    assert not {"impact-stale", "public-stale"} & set(shown(run))
    follow_up = entry_id(run("action", "Alert on pool saturation", "--follow-up"))
    open_question = entry_id(run("ask", "Why did the canary not catch it?"))

    clock.minute(70)  # resolved: tidy up the loose ends
    run("status", "resolved", "Checkouts normal for 15 minutes", "--public")
    found = shown(run)
    assert "Name one before the review" in message(found, f"followup-unowned:{follow_up}")
    assert "carry it into the review" in message(found, f"question-unanswered:{open_question}")
    assert "ij review --write" in message(found, "review-missing")
    dashboard = run("show", "--markdown").stdout
    assert "## Nudges" in dashboard and "review-missing" in dashboard
    page = (journal_dir / "incidents" / "2026-11-23-checkout" / "README.md").read_text()
    assert "Nudges" not in page and "review-missing" not in page

    run("answer", open_question, "It only covers US traffic")
    (journal_dir / "incidents" / "2026-11-23-checkout" / "review.md").write_text("# Review\n")
    found = shown(run)
    assert list(found) == [f"followup-unowned:{follow_up}"]
    assert "## Nudges" in run("show", "--markdown").stdout


def _bad_snoozes_write_nothing(run: Run, repo: Path) -> None:
    before = snapshot(repo)
    unknown = run("snooze", "page-the-ceo", "10m", code=2)
    assert unknown.stderr.startswith("ij: error: no current nudge 'page-the-ceo': use one of ")
    assert "update-overdue:exec" in unknown.stderr and len(unknown.stderr.splitlines()) == 1
    ambiguous = run("snooze", "update-overdue", "10m", code=2).stderr
    assert "ambiguous: use one of update-overdue:responders, update-overdue:exec" in ambiguous
    bad = run("snooze", "mitigate-first", "a while", code=2).stderr
    assert bad == "ij: error: cannot read duration 'a while': use e.g. 30m, 1h, 1h30m, 2d\n"
    zero = run("snooze", "mitigate-first", "0m", code=2).stderr
    assert zero.startswith("ij: error: snooze for more than zero")
    over = run("snooze", "mitigate-first", "10m", "--at", "20m ago", code=2).stderr
    assert over == "ij: error: that snooze would be over already (2026-11-23 10:21 UTC)\n"
    public = run("snooze", "mitigate-first", "10m", "--public", code=2).stderr
    assert public == "ij: error: a snooze is internal: drop --public\n"
    assert snapshot(repo) == before


def test_snooze_is_an_entry_every_clone_sees(run: Run, journal_dir: Path, clock: Clock) -> None:
    run("open", "Search is slow", "--sev", "3", "--id", "search")
    clock.minute(6)
    result = run("snooze", "no-ic", "1h", "--by", "Bob <bob@example.com>")
    assert result.stdout.startswith("snoozed ")
    timeline = run("timeline", "--kind", "snooze").stdout
    assert "snooze     no-ic for 1h" in timeline and "Bob" in timeline
    assert run("nudges", "-i", "search").stdout.startswith("snoozed no-ic until")
    clock.minute(66)
    assert "no-ic" in shown(run)


def test_nothing_to_snooze(run: Run, journal_dir: Path, clock: Clock) -> None:
    run("open", "Search is slow", "--sev", "3")
    err = run("snooze", "no-ic", "10m", code=2).stderr
    assert err == "ij: error: no nudge 'no-ic' right now: there is nothing to snooze\n"


def test_follow_ups_of_resolved_incidents_are_nudged_until_tracked(
    run: Run, journal_dir: Path, clock: Clock
) -> None:
    """A week after resolution an open follow-up not linked to an issue is pointed out, in
    `ij nudges --all` too, whichever incident is current; a link or `ij done` ends it."""
    run("open", "Checkout errors in EU", "--sev", "2", "--id", "checkout", "--ic", "alice")
    alert = entry_id(run("action", "Alert on pool saturation", "--owner", "carol", "--follow-up"))
    test = entry_id(run("action", "Load-test the pool limit", "--owner", "bob", "--follow-up"))
    clock.minute(60)
    run("status", "resolved", "Checkouts normal")
    (journal_dir / "incidents" / "2026-11-23-checkout" / "review.md").write_text("# Review\n")
    clock.minute(60 + 7 * 24 * 60 - 1)  # a minute short of a week
    assert not any(n.startswith("followup-unlinked") for n in shown(run))
    run("open", "Search is slow", "--sev", "3", "--id", "search", "--ic", "dan")
    clock.minute(60 + 7 * 24 * 60)
    found = shown(run)  # the current incident is "search" now
    assert not any(n.startswith("followup-unlinked") for n in found)
    listed = run("nudges", "--all", code=None).stdout
    assert "== 2026-11-23-checkout (resolved): Checkout errors in EU" in listed
    assert f"followup-unlinked:{alert}" in listed and f"followup-unlinked:{test}" in listed
    assert "tracked nowhere else 7d 0h after the incident was resolved" in listed
    assert f"ij link {alert[:6]} URL" in listed
    run("link", alert, "https://github.com/acme/shop/issues/812", "-i", "checkout")
    run("done", test, "-i", "checkout")
    every = json.loads(run("nudges", "--all", "--json", code=None).stdout)
    checkout = [i for i in every if i["incident"] == "2026-11-23-checkout"]
    assert checkout == [] or not any(
        n["id"].startswith("followup-unlinked") for n in checkout[0]["nudges"]
    )
    assert all(set(i) == {"incident", "nudges"} and i["nudges"] for i in every)
