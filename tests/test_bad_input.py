"""Every bad input: one clear line on stderr, exit 2, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli_w
from conftest import Run, entry_id, git, snapshot

from incjournal.core.model import entry_to_dict
from incjournal.store.journal import Journal, read_entry


def assert_refused(run: Run, repo: Path, args: list[str], message: str, **kw: object) -> None:
    before = snapshot(repo)
    result = run(*args, code=2, **kw)  # type: ignore[arg-type]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(repo) == before


def test_not_a_journal(tmp_path: Path) -> None:
    result = Run(tmp_path)("note", "x", code=2)
    assert result.stderr.strip() == (
        f"ij: error: {tmp_path.resolve()} is not an incident journal: run `ij init` to make one"
    )


def test_no_current_incident(run: Run, journal_dir: Path) -> None:
    assert_refused(run, journal_dir, ["note", "x"], "no current incident: `ij open TITLE`")


def test_unknown_incident(run: Run, journal_dir: Path, incident: str) -> None:
    assert_refused(run, journal_dir, ["note", "x", "-i", "nope"], "no incident 'nope'")


@pytest.mark.parametrize("slug", ["../evil", "a/b", "..", "a\x07b"])
def test_hostile_incident_ids(run: Run, journal_dir: Path, incident: str, slug: str) -> None:
    assert_refused(run, journal_dir, ["note", "x", "-i", slug], "invalid incident id")
    assert_refused(run, journal_dir, ["open", "T", "--id", slug], "invalid incident id")


def test_unknown_and_short_entry_ids(run: Run, journal_dir: Path, incident: str) -> None:
    assert_refused(run, journal_dir, ["answer", "zzzzz", "x"], "no entry 'zzzzz'")
    assert_refused(run, journal_dir, ["answer", "ab", "x"], "too short: give at least 3")


def test_ambiguous_entry_id_lists_candidates(run: Run, journal_dir: Path, incident: str) -> None:
    journal = Journal(journal_dir)
    [opened] = journal.read_entries(incident)
    for suffix in ("11111", "22222"):
        clone = opened.__class__(**{**opened.__dict__, "id": "qqq" + suffix})
        journal.entry_path(incident, clone).write_text(tomli_w.dumps(entry_to_dict(clone)))
    git(journal_dir, "add", "-A")
    git(journal_dir, "commit", "-qm", "two look-alikes")
    assert_refused(
        run,
        journal_dir,
        ["amend", "qqq", "x"],
        f"entry id 'qqq' is ambiguous in {incident}: qqq11111, qqq22222",
    )


def test_empty_text(run: Run, journal_dir: Path, incident: str) -> None:
    assert_refused(run, journal_dir, ["note", "  "], "empty text")
    assert_refused(run, journal_dir, ["note", "-"], "empty text", input="\n\n")


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("teatime", "cannot read time 'teatime'"),
        ("+2h", "is in the future"),
        ("2999-01-01T00:00Z", "is in the future"),
    ],
)
def test_bad_at(run: Run, journal_dir: Path, incident: str, at: str, message: str) -> None:
    assert_refused(run, journal_dir, ["note", "x", "--at", at], message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sev", "9"], "invalid severity '9': use one of 1, 2, 3, 4"),
        (["status", "panicking"], "invalid status 'panicking'"),
        (["role", "boss", "x"], "invalid role 'boss': use one of ic, comms, scribe, ops"),
        (["mark", "noticed"], "invalid milestone 'noticed'"),
        (["decide", "roll back"], "missing --why"),
        (["strike", "zzz"], "no entry 'zzz'"),
    ],
)
def test_invalid_values(
    run: Run, journal_dir: Path, incident: str, args: list[str], message: str
) -> None:
    assert_refused(run, journal_dir, args, message)


@pytest.mark.parametrize("verb", ["answer", "done", "retire", "confirm", "rule-out"])
def test_closing_the_wrong_kind(run: Run, journal_dir: Path, incident: str, verb: str) -> None:
    note = entry_id(run("note", "just a note"))
    assert_refused(run, journal_dir, [verb, note, "x"], f"entry {note} is a note, not a")


def test_closing_twice(run: Run, journal_dir: Path, incident: str) -> None:
    a = entry_id(run("action", "roll back"))
    run("done", a, "rolled back", "--at", "now")
    assert_refused(run, journal_dir, ["done", a, "again"], f"action {a} is already closed")


def test_no_author(run: Run, journal_dir: Path, incident: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    assert_refused(
        run,
        journal_dir,
        ["note", "x"],
        "no author: pass --by NAME",
        env={"INCJOURNAL_AUTHOR": None, "GIT_CONFIG_GLOBAL": str(empty)},
    )


def test_corrupt_entry_is_named_by_every_read(run: Run, journal_dir: Path, incident: str) -> None:
    note = entry_id(run("note", "fine"))
    path = Journal(journal_dir).resolve_entry(incident, note)
    path.write_text(path.read_text().replace('kind = "note"', 'kind = "note'))
    git(journal_dir, "commit", "-qam", "hand edit gone wrong")
    rel = path.relative_to(journal_dir)
    shown = run("show")  # the incident stays readable: the bad file is skipped, and named
    assert f"ij: warning: {path}:3: not valid TOML" in shown.stderr
    written = run("note", "more")  # what a responder types is never lost to someone else's typo
    assert written.stdout.startswith("noted ") and f"{path}:3: not valid TOML" in written.stderr
    checked = run("check", code=1)
    assert f"{rel}:3: " in checked.stdout


def test_wrong_types_in_an_entry(run: Run, journal_dir: Path, incident: str) -> None:
    note = entry_id(run("note", "fine"))
    path = Journal(journal_dir).resolve_entry(incident, note)
    path.write_text(path.read_text().replace('kind = "note"', 'kind = "gossip"'))
    with pytest.raises(Exception, match="unknown kind 'gossip'"):
        read_entry(path)
    assert (
        f"{path.relative_to(journal_dir)}:3: unknown kind 'gossip'" in run("check", code=1).stdout
    )


def test_a_pasted_secret_is_refused_without_echoing_it(
    run: Run, journal_dir: Path, incident: str
) -> None:
    key = "AKIA" + "Q3EGRIT4JD7XZP5K"
    assert_refused(
        run,
        journal_dir,
        ["note", f"rotated creds, old key {key}"],
        "refused: likely secret: AWS access key at line 1, column 24",
    )
    assert key not in run("note", "x", code=None).stderr
    assert_refused(run, journal_dir, ["decide", "rotate", "--why", f"leaked {key}"], "in --why")
    run("note", f"fake test key {key} from the docs", "--allow-secret")
