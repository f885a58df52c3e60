"""Briefs that say what was sent (issue 15): a relapse incident through the real CLI.

What each audience was told leads its next brief; an ask of other teams stays until superseded;
multi-line text is shown whole in Markdown and as one line plus "(+N lines)" elsewhere; wording
follows the state (no fix estimate once service is restored, no "still investigating" while
monitoring).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from conftest import Run, ij_subprocess

BASE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PODS = (
    "kubectl get pods -n checkout\n"
    "NAME                     READY   STATUS             RESTARTS\n"
    "checkout-api-7d9f-2xkq   1/1     Running            0\n"
    "checkout-worker-5c4b-qq  0/1     CrashLoopBackOff   14\n"
)
EXEC_TEXT = "Checkout failing for 1 in 3 customers; rollback under way.\nNext update 09:45."
ASK = "Please hold all deploys to checkout services until we say otherwise."
PUBLIC_TEXT = "Checkout is failing for some customers; we are rolling back a change."
SUPPORT_TEXT = "Customers who retry may be asked to pay again; no one was charged twice."


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def stamp(minutes: int) -> str:
    """A time as briefs show it with its date, in the journal's zone (UTC here)."""
    return at(minutes).strftime("%Y-%m-%d %H:%M UTC")


def step(run: Run, minutes: int, *args: str, **kw: str) -> str:
    with time_machine.travel(at(minutes), tick=False):
        return str(run(*args, **kw).stdout)


@pytest.fixture
def relapse(run: Run) -> Run:
    """Told every audience, mitigated, then relapsed."""
    step(run, 0, "open", "Checkout errors in EU", "--sev", "2", "--ic", "alice")
    step(run, 5, "impact", "About 1 in 3 checkouts fail.", "--public")
    step(run, 10, "note", "We are investigating failed checkouts.", "--public")
    step(run, 11, "note", "-", input=PODS)
    step(run, 12, "update", "exec", EXEC_TEXT)
    step(run, 14, "update", "engineering", ASK)
    step(run, 15, "update", "public", PUBLIC_TEXT)
    step(run, 16, "update", "support", SUPPORT_TEXT)
    step(run, 30, "status", "monitoring", "The rollback is done.", "--public")
    return run


def brief(run: Run, minutes: int, audience: str) -> str:
    return step(run, minutes, "brief", "--for", audience)


def test_each_audience_reads_what_it_was_told_first(relapse: Run) -> None:
    step(relapse, 40, "status", "investigating", "Errors are back")
    exec_brief = brief(relapse, 45, "exec")
    assert f"**Last update to exec**, {stamp(12)}:\n\n> " in exec_brief
    assert "> Checkout failing for 1 in 3 customers; rollback under way.\n> Next update 09:45." in (
        exec_brief
    )
    engineering = brief(relapse, 45, "engineering")
    assert f"> {ASK}" in engineering
    assert f"- What we asked in our last update ({stamp(14)}) still stands" in engineering
    assert "Nothing right now" not in engineering
    public = brief(relapse, 45, "public")
    assert "**09:30 UTC** — The rollback is done." in public  # the latest public word leads
    assert f"- 09:15 UTC — {PUBLIC_TEXT}" in public  # what was sent follows, with its time
    assert "- 09:10 UTC — We are investigating failed checkouts." in public
    assert SUPPORT_TEXT not in public  # support's message is not the status page's
    support = brief(relapse, 45, "support")
    assert f"**Our last update to support**, {stamp(16)}:\n\n> {SUPPORT_TEXT}" in support
    assert support.count(SUPPORT_TEXT) == 1  # not again among the earlier updates
    told = support.split("## What to tell customers\n")[1].split("\n")[0]
    assert told == "> The rollback is done."
    assert f"- 09:15 UTC (to public) — {PUBLIC_TEXT}" in support


def test_a_new_update_supersedes_the_ask(relapse: Run) -> None:
    step(relapse, 50, "update", "engineering", "Deploys may resume; thank you.")
    engineering = brief(relapse, 55, "engineering")
    assert ASK not in engineering and "> Deploys may resume; thank you." in engineering


def test_an_update_without_text_is_named_not_quoted(relapse: Run) -> None:
    step(relapse, 20, "update", "responders")
    responders = brief(relapse, 25, "responders")
    assert f"**Last update to responders**, {stamp(20)}: the brief as it stood then (" in (
        responders
    )
    assert responders.count("# SEV2") == 1  # the earlier brief is not pasted into this one


def test_wording_follows_the_state(relapse: Run) -> None:
    public = brief(relapse, 35, "public")
    support = brief(relapse, 35, "support")
    exec_brief = brief(relapse, 35, "exec")
    assert "Estimated fix" not in public and "estimate" not in public
    assert "No workaround is known yet" not in support and "estimate" not in support
    assert "**ETA:**" not in exec_brief
    late = step(relapse, 80, "nudges", code=1)  # updates overdue while monitoring
    assert "still investigating" not in late
    assert "the fix is in place and we are watching it, next update at …" in late
    step(relapse, 85, "status", "investigating", "Errors are back")
    assert "- **Estimated fix:** " in brief(relapse, 86, "public")
    assert "No workaround is known yet" in brief(relapse, 86, "support")


def test_alike_urgent_nudges_are_one_line_in_the_brief(relapse: Run) -> None:
    worth = brief(relapse, 120, "responders").split("**Worth doing now**\n")[1].split("\n\n")[0]
    overdue = [line for line in worth.splitlines() if "overdue" in line]
    assert len(overdue) == 1, worth
    assert overdue[0].startswith("- urgent: Updates are overdue to responders (")


def test_public_times_carry_a_date_when_not_today(relapse: Run) -> None:
    public = brief(relapse, 24 * 60, "public")
    assert f"- {stamp(15)} — {PUBLIC_TEXT}" in public
    assert "- 09:15 UTC" not in public


def test_multi_line_text_is_whole_in_markdown_and_one_line_elsewhere(relapse: Run) -> None:
    responders = brief(relapse, 35, "responders")
    assert "checkout-worker-5c4b-qq  0/1     CrashLoopBackOff   14" in responders  # fenced
    assert "  ```text\n  kubectl get pods -n checkout\n" in responders
    timeline = step(relapse, 35, "timeline")
    assert "note       kubectl get pods -n checkout (+3 lines)  — " in timeline
    assert (
        "update     to exec Checkout failing for 1 in 3 customers; rollback under way. (+1 line)"
        in (timeline)
    )
    assert "CrashLoopBackOff" not in timeline


def test_what_was_sent_leads_the_brief_in_a_real_process(journal_dir: Path) -> None:
    ij_subprocess(journal_dir, "open", "Slow search", "--sev", "3")
    sent = ij_subprocess(journal_dir, "update", "exec", "Search is slow for 1 in 10 queries.")
    assert sent.returncode == 0, sent.stderr
    shown = ij_subprocess(journal_dir, "brief", "--for", "exec")
    assert shown.returncode == 0, shown.stderr
    assert "**Last update to exec**, " in shown.stdout
    assert "> Search is slow for 1 in 10 queries." in shown.stdout
