"""`ij actions` and `ij link` through the real CLI: follow-ups across incidents tracked to done,
external references shown wherever the action is, CSV parsed back, and `--format gh` run by `sh`
against a stub `gh` on PATH that records its argv."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from conftest import SRC, Run, entry_id, ij_subprocess, snapshot

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def listed(run: Run, *args: str) -> list[dict[str, Any]]:
    return list(json.loads(run("actions", "--json", *args).stdout))


def two_incidents(run: Run, clock: time_machine.Coordinates) -> dict[str, str]:
    """A resolved incident with two follow-ups and a done action, and an open one with one
    overdue action; returns the action ids by name."""
    run("open", "Checkout errors", "--id", "checkout", "--ic", "dana")
    in_two_days = (T0 + timedelta(days=2)).isoformat()
    ids = {
        "alert": entry_id(run("action", "Alert on pool", "--owner", "carol", "--follow-up")),
        "ci": entry_id(
            run(
                "action",
                "Pool size in CI",
                "--owner",
                "Bob Okafor",
                "--follow-up",
                "--due",
                in_two_days,
            )
        ),
        "drain": entry_id(run("action", "Drain the queue", "--owner", "carol")),
    }
    clock.shift(timedelta(minutes=1))  # a closer sorts after what it closes
    run("done", ids["drain"], "drained")
    run("status", "resolved", "all good")
    clock.shift(timedelta(hours=1))
    run("open", "Search is slow", "--id", "search", "--ic", "erin")
    soon = (T0 + timedelta(minutes=90)).isoformat()
    ids["index"] = entry_id(run("action", "Rebuild the index", "--owner", "erin", "--due", soon))
    clock.shift(timedelta(hours=1))
    return ids


def test_follow_ups_stay_open_across_incidents_until_done(
    run: Run, clock: time_machine.Coordinates
) -> None:
    ids = two_incidents(run, clock)
    rows = listed(run, "--all", "--follow-up", "--open")
    assert {r["id"] for r in rows} == {ids["alert"], ids["ci"]}
    alert = next(r for r in rows if r["id"] == ids["alert"])
    assert alert["incident"].endswith("-checkout") and alert["incident_resolved"] is True
    assert (alert["owner"], alert["state"], alert["links"]) == ("carol", "open", [])
    assert alert["age_s"] == 2 * 3600 + 60
    run("done", "-i", alert["incident"], ids["alert"], "alert shipped")
    assert [r["id"] for r in listed(run, "--all", "--follow-up", "--open")] == [ids["ci"]]
    done = listed(run, "--all", "--done")
    assert {r["id"] for r in done} == {ids["alert"], ids["drain"]}
    assert all(r["state"] == "done" and r["done_at"] for r in done)


def test_filters_owner_overdue_and_the_current_incident(
    run: Run, clock: time_machine.Coordinates
) -> None:
    ids = two_incidents(run, clock)
    assert [r["id"] for r in listed(run)] == [ids["index"]]  # the current incident only
    assert [r["id"] for r in listed(run, "--all", "--overdue")] == [ids["index"]]
    assert [r["id"] for r in listed(run, "--all", "--owner", "bob okafor")] == [ids["ci"]]
    carols = {r["id"] for r in listed(run, "--all", "--owner", "CAROL")}
    assert carols == {ids["alert"], ids["drain"]}
    table = run("actions", "--all", "--open").stdout
    assert "open (overdue)" in table and "follow-up: Alert on pool" in table
    assert run("actions", "--open", "--done", code=2).stderr.startswith("ij: error: --open and")
    assert "unknown format" in run("actions", "--format", "xml", code=2).stderr


def test_csv_parses_back_to_the_json_rows(run: Run, clock: time_machine.Coordinates) -> None:
    two_incidents(run, clock)
    parsed = list(csv.DictReader(io.StringIO(run("actions", "--all", "--format", "csv").stdout)))
    rows = listed(run, "--all")
    assert [r["id"] for r in parsed] == [r["id"] for r in rows]
    for got, want in zip(parsed, rows, strict=True):
        assert got["text"] == want["text"] and got["owner"] == want["owner"]
        assert got["due"] == (want["due"] or "") and int(got["age_s"]) == want["age_s"]
        assert got["follow_up"] == str(want["follow_up"]).lower()


def test_a_formula_never_reaches_a_spreadsheet(run: Run, clock: time_machine.Coordinates) -> None:
    run("open", "Checkout errors", "--id", "checkout")
    run("action", '=HYPERLINK("http://evil")', "--owner", "carol")
    parsed = list(csv.DictReader(io.StringIO(run("actions", "--format", "csv").stdout)))
    assert parsed[0]["text"] == '\'=HYPERLINK("http://evil")'


def test_link_is_shown_wherever_the_action_is(
    run: Run, journal_dir: Path, clock: time_machine.Coordinates
) -> None:
    run("open", "Checkout errors", "--id", "checkout")
    action = entry_id(run("action", "Alert on pool saturation", "--owner", "carol", "--follow-up"))
    url = "https://github.com/acme/shop/issues/42"
    result = run("link", action[:4], url)
    assert result.stdout.startswith("linked ")
    assert listed(run)[0]["links"] == [url]
    page = next(journal_dir.glob("incidents/*/README.md")).read_text()
    assert f"Alert on pool saturation — owner: carol — <{url}>" in page
    assert f"<{url}>" in run("review").stdout
    assert url in run("actions").stdout
    assert url not in run("brief", "--for", "public").stdout


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "https://user:pw@example.com/", "https://ex ample.com",
     "https://example.com/<script>", "not a url"],
)  # fmt: skip
def test_a_bad_link_is_refused_and_nothing_written(run: Run, journal_dir: Path, url: str) -> None:
    run("open", "Checkout errors", "--id", "checkout")
    action = entry_id(run("action", "Alert on pool saturation"))
    before = snapshot(journal_dir)
    result = run("link", action, url, code=2)
    assert result.stderr.startswith("ij: error: invalid URL")
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(journal_dir) == before


def test_only_an_action_takes_a_link(run: Run, journal_dir: Path) -> None:
    run("open", "Checkout errors", "--id", "checkout")
    note = entry_id(run("note", "pool is busy"))
    before = snapshot(journal_dir)
    result = run("link", note, "https://example.com/1", code=2)
    assert "is a note, not an action" in result.stderr
    assert snapshot(journal_dir) == before


def stub_gh(tmp_path: Path) -> tuple[Path, Path]:
    """A `gh` that appends its argv (JSON, one line) to a log and prints a new issue's URL."""
    bin_dir, log = tmp_path / "bin", tmp_path / "gh-argv.jsonl"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        f"with open({str(log)!r}, 'a') as fh:\n"
        "    n = sum(1 for _ in open(fh.name)) + 1\n"
        "    fh.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "print(f'https://github.com/acme/shop/issues/{n}')\n"
    )
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    ij = bin_dir / "ij"  # the `ij link` the script runs: this checkout's CLI
    ij.write_text(f'#!/bin/sh\nPYTHONPATH={SRC} exec {sys.executable} -m incjournal "$@"\n')
    ij.chmod(ij.stat().st_mode | stat.S_IEXEC)
    return bin_dir, log


def test_gh_commands_run_by_sh_create_issues_and_link_them_back(
    run: Run, journal_dir: Path, tmp_path: Path
) -> None:
    run("open", "Checkout errors", "--id", "checkout")
    title = "Alert on pool saturation; don't page $HOME `x`"
    ids = [
        entry_id(run("action", title, "--owner", "carol", "--follow-up")),
        entry_id(run("action", "Validate pool size in CI", "--owner", "Bob Okafor", "--follow-up")),
    ]
    linked = entry_id(run("action", "Already tracked", "--owner", "erin", "--follow-up"))
    run("link", linked, "https://jira.example.com/browse/OPS-1")
    run("action", "Not a follow-up", "--owner", "erin")
    with (journal_dir / "incjournal.toml").open("a") as fh:
        fh.write('\n[actions]\nlabel = "postmortem"\nrepo = "acme/shop"\n'
                 'page_url = "https://git.example.com/journal/incidents/{incident}"\n'
                 '[actions.assignees]\n"Bob Okafor" = "bokafor"\n')  # fmt: skip
    subprocess.run(["git", "commit", "-qam", "config"], cwd=journal_dir, check=True)
    script = ij_subprocess(journal_dir, "actions", "--follow-up", "--open", "--format", "gh")
    assert script.returncode == 0, script.stderr
    assert script.stdout.count("gh issue create") == 2
    bin_dir, log = stub_gh(tmp_path)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    ran = subprocess.run(["sh"], input=script.stdout, cwd=journal_dir, env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 2
    first = dict(zip(calls[0][2::2], calls[0][3::2], strict=True))
    assert calls[0][:2] == ["issue", "create"]
    assert first["--title"] == title
    assert (first["--label"], first["--repo"]) == ("postmortem", "acme/shop")
    assert first["--assignee"] == "carol"
    incident = listed(run)[0]["incident"]
    assert f"(https://git.example.com/journal/incidents/{incident})" in first["--body"]
    assert dict(zip(calls[1][2::2], calls[1][3::2], strict=True))["--assignee"] == "bokafor"
    links = {r["id"]: r["links"] for r in listed(run)}
    assert links[ids[0]] == ["https://github.com/acme/shop/issues/1"]
    assert links[ids[1]] == ["https://github.com/acme/shop/issues/2"]
    again = run("actions", "--all", "--follow-up", "--open", "--format", "gh").stdout
    assert "gh issue create" not in again and "every open follow-up is linked" in again
