"""Workstreams: `ij stream open/lead/close/list/use`, `-s/--stream` on entries, and every render
that groups by stream (show, briefs, hand-off, review, timeline, nudges)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, entry_id, git, ij_subprocess, snapshot


@pytest.fixture
def streamed(run: Run, incident: str) -> dict[str, str]:
    """The checkout incident with two streams, items in each and one outside any."""
    run("stream", "open", "db", "--lead", "bob", "--goal", "restore the orders replica")
    run("stream", "open", "comms", "--goal", "keep support and customers told")
    ids = {
        "ask": entry_id(
            run("ask", "is the 09:00 backup complete?", "-s", "db", "--owner", "carol")
        ),
        "hyp": entry_id(run("hypothesis", "replica disk full", "--stream", "db")),
        "act": entry_id(run("action", "draft the status page text", "-s", "comms")),
        "loose": entry_id(run("ask", "who owns the billing export?")),
    }
    return ids


def test_a_stream_is_entries_one_commit_each(run: Run, journal_dir: Path, incident: str) -> None:
    before = int(git(journal_dir, "rev-list", "--count", "HEAD"))
    run("stream", "open", "db", "--lead", "bob", "--goal", "restore replication")
    run("stream", "lead", "db", "dana")
    run("stream", "close", "db", "replica back in sync")
    assert int(git(journal_dir, "rev-list", "--count", "HEAD")) == before + 3
    assert (
        git(journal_dir, "log", "-1", "--format=%s")
        == f"{incident}: stream: closed db replica back in sync\n"
    )
    listed = json.loads(run("stream", "list", "--all", "--json").stdout)
    assert [(s["name"], s["lead"], s["open"]) for s in listed] == [("db", "dana", False)]
    assert run("stream", "list").stdout == "no open streams: ij stream open NAME --lead PERSON\n"
    run("stream", "open", "db")  # a closed stream can be reopened; the lead stays
    assert json.loads(run("stream", "list", "--json").stdout)[0]["lead"] == "dana"


def test_entries_go_into_the_named_or_current_stream(
    run: Run, streamed: dict[str, str], incident: str
) -> None:
    assert run("stream", "use", "db").stdout == "current stream: db\n"
    noted = entry_id(run("note", "replica 2 lag 40s and falling"))
    loose = entry_id(run("note", "billing export paused", "-s", "-"))
    rows = {e["id"]: e for e in json.loads(run("timeline", "--json").stdout)}
    assert rows[noted]["stream"] == "db"
    assert "stream" not in rows[loose]
    listed = run("stream", "list").stdout.splitlines()
    assert listed[0].startswith("* db  lead: bob · 1 question, 1 hypothesis open · last entry ")
    assert listed[0].endswith(" ago) — restore the orders replica")
    assert listed[1].startswith("  comms  no lead · 1 action open")
    assert run("stream", "use", "-").stdout == "no current stream\n"
    assert "stream" not in json.loads(run("timeline", "--json").stdout)[-1]


def test_an_answer_keeps_its_question_in_its_stream(run: Run, streamed: dict[str, str]) -> None:
    run("answer", streamed["ask"], "yes, verified at 09:40", "-s", "comms")
    shown = run("timeline", "--stream", "db").stdout
    assert "yes, verified at 09:40" in shown and "draft the status page text" not in shown
    db = json.loads(run("stream", "list", "--json").stdout)[0]
    assert db["open_items"]["questions"] == []


def test_show_groups_open_items_by_stream(run: Run, streamed: dict[str, str]) -> None:
    page = run("show", "--markdown").stdout
    loose = page.split("## Open questions")[1].split("##")[0]
    assert "who owns the billing export?" in loose and "09:00 backup" not in loose
    streams = page.split("## Workstreams")[1].split("## Recent timeline")[0]
    assert "### db" in streams and "### comms" in streams
    assert "**db** (lead: bob): restore the orders replica — 1 question, 1 hypothesis open" in (
        streams
    )
    assert f"question `{streamed['ask'][:6]}` is the 09:00 backup complete? — owner: carol" in (
        streams
    )
    only = run("show", "--stream", "comms", "--markdown").stdout
    assert "draft the status page text" in only
    assert "09:00 backup" not in only and "billing export" not in only
    assert "Checkout errors in EU" in only  # the incident-wide facts stay


def test_briefs_handoff_and_review_follow_the_streams(run: Run, streamed: dict[str, str]) -> None:
    responders = run("brief", "--for", "responders").stdout
    block = responders.split("## Workstreams")[1].split("## Risks")[0]
    assert "- **db** · lead: bob · restore the orders replica · 1 question, 1 hypothesis open" in (
        block
    )
    assert "  - question: is the 09:00 backup complete? (carol)" in block
    assert "- **comms** · **no lead** · keep support and customers told · 1 action open" in block
    for audience in ("exec", "engineering"):
        text = run("brief", "--for", audience).stdout
        assert (
            "- db (lead: bob): restore the orders replica — 1 question, 1 hypothesis open" in text
        )
        assert "- comms (no lead): keep support and customers told — 1 action open" in text
    for audience in ("support", "public"):
        text = run("brief", "--for", audience).stdout
        assert "restore the orders replica" not in text and "bob" not in text
    handoff = run("handoff").stdout
    leads = handoff.split("## Workstreams and their leads")[1].split("##")[0]
    assert "- **db** (lead: bob): restore the orders replica" in leads
    assert "- **comms** (no lead): keep support and customers told" in leads
    run("stream", "close", "comms", "status page text approved")
    review = run("review").stdout.split("## Workstreams")[1].split("\n## ")[0]
    assert "### Stream: db" in review and "### Stream: comms" in review
    assert "- **Outcome:** status page text approved" in review
    assert "- Hypothesis (open): replica disk full" in review


def test_stream_nudges_no_lead_and_idle(run: Run, journal_dir: Path) -> None:
    run("open", "Replica lag", "--sev", "2", "--ic", "alice", "--at", "3h ago")
    run("stream", "open", "db", "--lead", "bob", "--at", "2h ago")
    run("ask", "is the backup complete?", "-s", "db", "--owner", "carol", "--at", "2h ago")
    run("stream", "open", "comms", "--at", "2h ago")
    found = {n["id"]: n for n in json.loads(run("nudges", "--json", code=None).stdout)}
    assert "stream-no-lead:comms" in found and "stream-no-lead:db" not in found
    idle = found["stream-idle:db"]["message"]
    assert idle.startswith("Stream db has 1 open item(s) and no entry for 2h 00m: is anyone stuck?")
    assert "stream-idle:comms" not in found  # nothing open there
    config = journal_dir / "incjournal.toml"
    config.write_text(config.read_text() + '\n[nudges]\nstream_idle_after = {2 = "3h"}\n')
    found = {n["id"] for n in json.loads(run("nudges", "--json", code=None).stdout)}
    assert "stream-idle:db" not in found


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["note", "x", "-s", "nope"], "ij: error: no stream 'nope' in "),
        (["note", "x", "-s", "Bad Name!"], "ij: error: invalid stream name 'Bad Name!': "),
        (["stream", "open", "db"], "ij: error: stream 'db' is already open: ij stream lead db"),
        (["stream", "use", "nope"], "ij: error: no stream 'nope' in "),
        (["stream", "close", "nope"], "ij: error: no stream 'nope' in "),
        (["stream", "lead", "db", " "], "ij: error: missing PERSON: "),
    ],
)
def test_bad_stream_input_is_one_line_and_writes_nothing(
    run: Run, journal_dir: Path, streamed: dict[str, str], args: list[str], message: str
) -> None:
    before = snapshot(journal_dir)
    result = run(*args, code=2)
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert snapshot(journal_dir) == before


def test_a_closed_stream_takes_no_entries_and_a_stale_current_one_is_dropped(
    run: Run, streamed: dict[str, str]
) -> None:
    run("stream", "use", "comms")
    run("stream", "close", "comms")
    result = run("note", "x", "-s", "comms", code=2)
    assert "stream 'comms' was closed: reopen it with ij stream open comms" in result.stderr
    noted = entry_id(run("note", "after the close"))
    last = json.loads(run("timeline", "--json").stdout)[-1]
    assert last["id"] == noted and "stream" not in last


def test_streams_from_a_real_process(journal_dir: Path, run: Run, incident: str) -> None:
    opened = ij_subprocess(journal_dir, "stream", "open", "db", "--lead", "bob")
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.startswith("opened stream ")
    noted = ij_subprocess(journal_dir, "note", "replica resynced", "-s", "db")
    assert noted.returncode == 0, noted.stderr
    listed = ij_subprocess(journal_dir, "stream", "list")
    assert listed.stdout.startswith("  db  lead: bob · nothing open · last entry ")
