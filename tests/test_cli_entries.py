"""Every entry kind through the real CLI: one entry file and one commit per write."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from conftest import Run, entry_id, git

INC = "incidents"


def entry_files(journal: Path) -> list[Path]:
    return sorted(journal.glob(f"{INC}/*/entries/*.toml"))


def read(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text())


def test_init_is_idempotent_and_never_overwrites(tmp_path: Path) -> None:
    root = tmp_path / "j"
    assert "initialised" in Run(tmp_path)("init", str(root)).stdout
    (root / "incjournal.toml").write_text('timezone = "Europe/Berlin"\n')
    git(root, "commit", "-qam", "mine")
    assert "already a journal" in Run(tmp_path)("init", str(root)).stdout
    assert (root / "incjournal.toml").read_text() == 'timezone = "Europe/Berlin"\n'
    assert git(root, "log", "--format=%s").splitlines() == ["mine", "journal: init"]


def test_open_writes_meta_entry_and_one_commit(run: Run, journal_dir: Path) -> None:
    result = run("open", "Checkout errors in EU", "--sev", "2", "--ic", "bob")
    incident = result.stdout.split(" in ")[1].split()[0]
    assert incident.endswith("-checkout-errors-in-eu")
    meta = read(journal_dir / INC / incident / "incident.toml")
    assert meta["title"] == "Checkout errors in EU"
    assert meta["opened_by"] == "Alice Example <alice@example.com>"
    [entry] = entry_files(journal_dir)
    assert read(entry)["kind"] == "open" and read(entry)["level"] == 2
    assert git(journal_dir, "log", "--format=%s").splitlines()[0] == (
        f"{incident}: open: Checkout errors in EU"
    )
    show = run("show").stdout
    assert "SEV2" in show and "ic: bob" in show and "investigating" in show


def test_every_write_is_one_commit_with_trailers_and_author(
    run: Run, journal_dir: Path, incident: str
) -> None:
    before = len(git(journal_dir, "log", "--format=%H").splitlines())
    note = entry_id(run("note", "p99 up to 4s", "--by", "Bob <bob@example.com>"))
    log = git(journal_dir, "log", "-1", "--format=%an <%ae>%n%B")
    assert log.splitlines()[0] == "Bob <bob@example.com>"
    assert f"{incident}: note: p99 up to 4s" in log
    assert f"Incident: {incident}" in log and f"Entry: {note}" in log
    assert len(git(journal_dir, "log", "--format=%H").splitlines()) == before + 1
    files = git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(Path(f).name for f in files) == sorted(
        ["README.md", next(p.name for p in entry_files(journal_dir) if note in p.name)]
    )


def test_author_falls_back_to_git_config(run: Run, journal_dir: Path, incident: str) -> None:
    run("note", "x", env={"INCJOURNAL_AUTHOR": None})
    assert (
        git(journal_dir, "log", "-1", "--format=%an <%ae>").strip() == "Git User <git@example.com>"
    )


def test_the_whole_vocabulary_folds_into_the_dashboard(run: Run, incident: str) -> None:
    q = entry_id(run("ask", "Did the deploy change the pool?", "--owner", "bob"))
    h1 = entry_id(run("hypothesis", "pool exhaustion"))
    h2 = entry_id(run("hypothesis", "DNS"))
    r = entry_id(run("risk", "rollback drops orders", "--likelihood", "med", "--impact", "high"))
    a = entry_id(run("action", "roll back", "--owner", "carol", "--due", "+1h"))
    run("decide", "Roll back 2026.11.3", "--why", "errors began with the deploy")
    run("answer", q[:4], "yes, 50 -> 5")
    run("confirm", h1, "pool 5/5 busy")
    run("rule-out", h2[:3], "dig fine")
    run("done", a, "rolled back")
    run("status", "monitoring", "errors falling")
    run("sev", "1", "--why", "all EU")
    run("role", "comms", "erin")
    run("impact", "30% of EU checkouts fail", "--public")
    run("mark", "started", "--at", "30m ago")
    shown = run("show", "--markdown").stdout
    assert "SEV1" in shown and "monitoring" in shown and "comms: erin" in shown
    assert "30% of EU checkouts fail" in shown
    assert "rollback drops orders (likelihood med, impact high)" in shown
    assert "Open questions" not in shown and "Open hypotheses" not in shown
    assert "Open actions" not in shown
    assert "Roll back 2026.11.3 — because errors began with the deploy" in shown
    assert re.search(r"TTD (29|30)m", shown)
    data = json.loads(run("show", "--json").stdout)
    assert data["status"] == "monitoring" and data["severity"] == 1
    assert [h["outcome"] for h in data["hypotheses"]] == ["confirm", "rule-out"]
    assert data["risks"][0]["id"] == r and data["risks"][0]["outcome"] == "open"


def test_retire_amend_strike_and_corrected_view(run: Run, incident: str) -> None:
    r = entry_id(run("risk", "cache stampede"))
    run("retire", r, "cache warmed")
    n = entry_id(run("note", "p99 was 4s"))
    run("amend", n, "p99 was 2.4s")
    bad = entry_id(run("note", "wrong incident note"))
    run("strike", bad, "--why", "belongs to INC-7")
    lines = run("timeline").stdout
    assert "p99 was 2.4s" in lines and "p99 was 4s" not in lines
    assert "wrong incident note" not in lines
    assert "Risks" not in run("show", "--markdown").stdout


def test_timeline_filters_and_json(run: Run, incident: str) -> None:
    run("note", "old", "--at", "2h ago")
    run("note", "new", "--by", "Bob <bob@example.com>")
    run("decide", "scale out", "--why", "cpu")
    assert [
        e["text"] for e in json.loads(run("timeline", "--json", "--since", "1h ago").stdout)
    ] == ["Checkout errors in EU", "new", "scale out"]
    assert "scale out" in run("timeline", "--kind", "decision").stdout
    assert "old" not in run("timeline", "--kind", "decision").stdout
    by_bob = json.loads(run("timeline", "--json", "--by", "bob").stdout)
    assert [e["text"] for e in by_bob] == ["new"]
    first = json.loads(run("timeline", "--json").stdout)[0]
    assert first["text"] == "old" and first["at"].endswith("Z") and "recorded_at" in first


def test_stdin_text_is_kept_intact(run: Run, journal_dir: Path, incident: str) -> None:
    run("note", "-", input="NAME   READY\napi-1  0/1\n")
    texts = [read(p)["text"] for p in entry_files(journal_dir)]
    assert "NAME   READY\napi-1  0/1" in texts


def test_list_and_use(run: Run, incident: str) -> None:
    run("open", "Second thing", "--id", "second")
    listed = run("list").stdout
    assert "second" in listed and "checkout" in listed
    assert listed.splitlines()[1].startswith("*") or listed.splitlines()[0].startswith("*")
    run("use", "checkout")
    run("note", "back on the first")
    assert "back on the first" in run("timeline", "-i", incident).stdout
    run("status", "resolved", "-i", "second")
    assert "second" not in run("list").stdout
    assert "second" in run("list", "--all").stdout
    data = json.loads(run("list", "--all", "--json").stdout)
    assert {d["status"] for d in data} == {"investigating", "resolved"}


def test_check_clean_and_reports_problems(run: Run, journal_dir: Path, incident: str) -> None:
    assert run("check").stdout.strip() == "journal ok"
    bad = journal_dir / INC / incident / "entries" / "20260101T000000.000000Z-zzzzzzzz.toml"
    bad.write_text('id = "zzzzzzzz"\nkind = "note"\nat = "yesterday"\n')
    result = run("check", code=1)
    assert f"{INC}/{incident}/entries/{bad.name}:1: " in result.stdout
    assert "not committed" in result.stdout


@pytest.mark.parametrize("state", ["investigating", "identified", "monitoring", "resolved"])
def test_each_status_is_accepted(run: Run, incident: str, state: str) -> None:
    run("status", state)
    assert f"**{state}**" in run("show", "--markdown").stdout
