"""`ij brief --format`: the same brief as Slack mrkdwn, plain text, JSON, or (public-facing) a
Statuspage incident; Markdown stays the default and the only one `--write` keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, ij_subprocess, snapshot

from incjournal.render.chat import plain_text, slack_mrkdwn


@pytest.fixture
def told(run: Run, incident: str) -> str:
    run("hypothesis", "pool exhaustion after the 09:55 deploy")
    run("decide", "Roll back release 2026.11.3", "--why", "rollback is tested & quick")
    run("note", "Checkout failing for some customers in Europe", "--public")
    run("impact", "About 30% of EU checkouts fail", "--public")
    run("update", "public", "We are investigating errors at checkout.")
    return incident


def test_slack_is_the_brief_in_mrkdwn(run: Run, told: str) -> None:
    markdown = run("brief", "--for", "exec", "--markdown").stdout
    slack = run("brief", "--for", "exec", "--format", "slack").stdout
    assert slack.rstrip("\n") == slack_mrkdwn(markdown)
    assert slack.startswith("*SEV2 · Checkout errors in EU*\n")
    assert "rollback is tested &amp; quick" in slack and "**" not in slack
    assert "• *Status:*" in slack


def test_text_has_no_markup(run: Run, told: str) -> None:
    text = run("brief", "--for", "responders", "--format", "text").stdout
    assert text.rstrip("\n") == plain_text(run("brief", "--for", "responders").stdout)
    for markup in ("**", "|---", "\\(", "\\<", "```"):
        assert markup not in text
    assert "Status: investigating" in text  # a table row reads as a line


def test_json_holds_every_form(run: Run, told: str) -> None:
    data = json.loads(run("brief", "--for", "exec", "--format", "json").stdout)
    assert set(data) == {"incident", "audience", "title", "generated_at", "markdown", "text"}
    assert data["audience"] == "exec" and data["incident"] == told
    assert data["title"] == "SEV2 · Checkout errors in EU"
    assert data["markdown"].startswith("# SEV2") and not data["text"].startswith("#")


def test_statuspage_is_the_public_incident_and_nothing_internal(run: Run, told: str) -> None:
    data = json.loads(run("brief", "--for", "public", "--format", "statuspage").stdout)
    incident = data["incident"]
    assert set(incident) == {"name", "status", "impact_override", "body"}
    assert incident["status"] == "investigating" and incident["impact_override"] == "major"
    assert incident["body"] == "We are investigating errors at checkout."
    public_title = run("brief", "--for", "public", "--markdown").stdout.splitlines()[0]
    assert f"# {incident['name']}" == public_title and incident["name"] != "Checkout errors in EU"
    everything = json.dumps(data)
    for internal in ("Roll back", "pool exhaustion", "alice", "rollback is tested"):
        assert internal not in everything
    run("status", "monitoring", "A fix is in place; we are watching it.", "--public")
    later = json.loads(run("brief", "--for", "public", "--format", "statuspage").stdout)
    assert later["incident"]["status"] == "monitoring"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--for", "exec", "--format", "statuspage"), "--format statuspage is for a public-facing"),
        (("--for", "exec", "--format", "pdf"), "unknown format 'pdf': use one of markdown, slack"),
        (("--for", "exec", "--format", "slack", "--write"), "--write keeps the Markdown brief"),
    ],
)
def test_bad_formats_write_nothing(
    run: Run, journal_dir: Path, told: str, args: tuple[str, ...], said: str
) -> None:
    before = snapshot(journal_dir)
    result = run("brief", *args, code=2)
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(journal_dir) == before


def test_a_format_from_a_real_process(journal_dir: Path, told: str) -> None:
    done = ij_subprocess(journal_dir, "brief", "--for", "public", "--format", "statuspage")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["incident"]["status"] == "investigating"
