"""`ij handoff`: the brief for an incoming IC, and `--to` recording the hand-off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Run, git, snapshot
from incident_fixture import CONFIG, at, build
from markdown_it import MarkdownIt

from incjournal.core.fold import fold
from incjournal.render.handoff import handoff_markdown

NOW = at(2, "06:50")  # just before the night IC hands over to the day shift


@pytest.fixture(scope="module")
def brief() -> str:
    meta, entries = build()
    state = fold(meta, entries).state_at(NOW)
    return handoff_markdown(state, CONFIG, NOW)


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n")[1].split("\n## ")[0]


def test_brief_has_everything_an_incoming_ic_needs_in_order(brief: str) -> None:
    assert re.findall(r"^## (.+)$", brief, flags=re.M) == [
        "Worth doing now",
        "Next updates due",
        "Open actions",
        "Open questions",
        "Open risks",
        "Questions answered",
        "What we believe (confirmed causes, in order)",
        "Still being investigated",
        "Tried and ruled out",
        "Done so far",
        "Decisions and why",
        "Who is who",
    ]


def test_facts_state_severity_duration_impact_roles(brief: str) -> None:
    assert "| Status | **monitoring** |" in brief
    assert "| Severity | SEV2 |" in brief
    assert "| Open for | 21h 38m so far (since Mon 23 Nov 09:12) |" in brief
    assert (
        "| Customer impact | customers were affected 3h 06m in two windows: "
        "2026-11-23 09:12–10:26, 17:38–19:30 CET |"
    ) in brief
    assert "| Metrics | TTD 28m · TTM 1h 14m · TTR — |" in brief
    assert "| Impact | About 10% of EU card payments fail since 17:31" in brief
    assert "| Roles | ic: Bob Okafor · comms: Dana Kim · ops: Erin Walsh |" in brief
    assert "**Reopened once:**" in brief and "so TTR is not known" in brief


def test_open_work_has_owners_and_due_times(brief: str) -> None:
    actions = section(brief, "Open actions")
    assert (
        "Request the limit restore from the processor's account manager — owner: Dana Kim, "
        "due Tue 24 Nov 08:00 (in 1h 10m)" in actions
    )
    assert "Drain in-flight" not in actions  # done
    questions = section(brief, "Open questions")
    assert "Why did the canary not catch the pool change? — owner: Alice Chen" in questions
    assert "Did the processor change our rate limit today?" not in questions  # answered
    risks = section(brief, "Open risks")
    assert "Customers retry by hand and get charged twice — likelihood low, impact high" in risks
    assert "no owner" not in risks  # risks are watched, not owned


def test_believed_ruled_out_and_decisions(brief: str) -> None:
    believed = section(brief, "What we believe (confirmed causes, in order)")
    assert "Card processor is rate-limiting our new egress IPs — confirmed Mon 23 Nov 19:12" in (
        believed
    )
    ruled_out = section(brief, "Tried and ruled out")
    assert "DNS resolution failures towards the card processor — ruled out Mon 23 Nov 09:50" in (
        ruled_out
    )
    assert section(brief, "Still being investigated").strip() == "_None._"
    decisions = section(brief, "Decisions and why")
    assert (
        "Replay the 412 failed payments tomorrow morning, not tonight — because a replay doubles "
        "our request rate while the lowered limit is in place _(Bob Okafor)_" in decisions
    )


def test_next_update_due_per_audience(brief: str) -> None:
    due = section(brief, "Next updates due")
    assert (
        "| responders | Mon 23 Nov 23:00 | Mon 23 Nov 23:30 (overdue by 7h 20m) | **OVERDUE** |"
        in due
    )
    assert "| engineering | Mon 23 Nov 18:32 | Mon 23 Nov 19:32 (overdue by 11h 18m) |" in due
    assert "| support (public-facing) |" in due
    assert len([line for line in due.splitlines() if line.startswith("| ")]) == 1 + 5


def test_ic_hand_offs_so_far(brief: str) -> None:
    assert "- Mon 23 Nov 17:45 Alice Chen → Bob Okafor" in section(brief, "Who is who")


def test_user_text_cannot_break_the_brief(run: Run, incident: str) -> None:
    run("action", "| * [x](javascript:alert(1)) <b>", "--owner", "# bob")
    out = run("handoff").stdout
    line = next(x for x in out.splitlines() if "javascript" in x)
    assert line.startswith("- `") and "\\|" in line and "owner: \\# bob" in line
    assert "`[x](javascript:alert(1))` `<b>`" in line  # code-like words shown as they are
    kinds = {c.type for t in MarkdownIt().parse(line) for c in t.children or []}
    assert kinds <= {"text", "code_inline", "em_open", "em_close"}, line  # no link, no tag


# the command ---------------------------------------------------------------------------------


def test_handoff_without_to_writes_nothing(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    out = run("handoff").stdout
    assert out.startswith("# Hand-off: Checkout errors in EU\n")
    assert "| Roles | ic: alice |" in out
    assert snapshot(journal_dir) == before


def test_handoff_to_records_the_role_change(run: Run, journal_dir: Path, incident: str) -> None:
    commits = git(journal_dir, "rev-list", "--count", "HEAD")
    result = run("handoff", "--to", "Dana Kim")
    assert re.match(r"handed off: ic is now Dana Kim, entry \w+ \(commit \w{7}\)\n", result.stderr)
    assert "| Roles | ic: Dana Kim |" in result.stdout
    assert "- " in result.stdout.split("IC hand-offs so far:")[1]
    assert int(git(journal_dir, "rev-list", "--count", "HEAD")) == int(commits) + 1
    subject = git(journal_dir, "log", "-1", "--format=%s")
    assert subject == f"{incident}: role: ic: Dana Kim Hand-off from alice\n"
    data = json.loads(run("show", "--json").stdout)
    assert data["roles"]["ic"] == "Dana Kim"


def test_handoff_to_the_current_ic_is_refused(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    result = run("handoff", "--to", "alice", code=2)
    assert result.stderr == f"ij: error: alice is already the incident commander of {incident}\n"
    assert snapshot(journal_dir) == before


def test_handoff_to_nobody_is_refused(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    result = run("handoff", "--to", "  ", code=2)
    assert result.stderr == "ij: error: missing person: e.g. ij handoff --to 'Dana Kim'\n"
    assert snapshot(journal_dir) == before


def test_brief_passes_on_what_a_seasoned_ic_would_point_out(brief: str) -> None:
    advice = section(brief, "Worth doing now")
    assert "overdue" in advice or "no owner" in advice or "review" in advice
