"""The per-clone cache: outside the committed tree, never stale, safe to delete, corrupt -> rebuilt.

What its check detects (and these tests pin): an entry file added, removed, renamed, replaced by
rename or rewritten in place (even to the same size with its mtime put back: the ctime and inode
still change), incident.toml changed; the write path's head sees all of that except a rewrite in
place that leaves the folder untouched, which the next reader sees (and then rebuilds the head).
"""

from __future__ import annotations

import json
import os
import pickle
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from conftest import Run, git

from incjournal import cache
from incjournal import journal as journal_mod
from incjournal.fold import Folder, fold
from incjournal.model import Entry, IncidentMeta, Kind, entry_to_dict
from incjournal.render.page import incident_page
from incjournal.store import PAGE, Journal, entry_filename

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def pure_state(journal: Journal, incident_id: str):  # type: ignore[no-untyped-def]
    """The state with no cache at all: every file parsed and folded."""
    return fold(journal.read_meta(incident_id), journal.read_entries(incident_id))


def write_entry(journal: Journal, incident_id: str, entry: Entry) -> Path:
    """An entry file written behind ij's back, as `git pull` or another clone's sync would."""
    path = journal.entries_dir(incident_id) / entry_filename(entry)
    path.write_bytes(tomli_w.dumps(entry_to_dict(entry)).encode())
    return path


def make(
    number: int, kind: Kind = Kind.NOTE, at: datetime | None = None, **fields: object
) -> Entry:
    when = at or START + timedelta(minutes=number)
    return Entry(
        id=f"t{number:07d}",
        kind=kind,
        at=when,
        recorded_at=when,
        author="Bob <bob@example.com>",
        text=f"entry number {number}",
        **fields,  # type: ignore[arg-type]
    )


def listed(run: Run) -> list[dict[str, object]]:
    """`ij list --all --json` less the age, which moves with the clock."""
    rows = json.loads(run("list", "--all", "--json").stdout)
    return [{k: v for k, v in row.items() if k != "age_s"} for row in rows]


@pytest.fixture
def journal(journal_dir: Path, incident: str) -> Journal:
    return Journal(journal_dir)


def test_cache_lives_outside_the_committed_tree(run: Run, journal: Journal, incident: str) -> None:
    run("note", "db is slow")
    run("list")
    assert (journal.git_dir / "incjournal" / "cache" / "state" / f"{incident}.pickle").is_file()
    assert (journal.git_dir / "incjournal" / "cache" / "head" / f"{incident}.pickle").is_file()
    assert git(journal.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert "cache" not in git(journal.root, "ls-files")


def test_cached_state_equals_the_pure_fold(run: Run, journal: Journal, incident: str) -> None:
    for number in range(30):
        write_entry(journal, incident, make(number))
    question = run("ask", "is it the db?").stdout.split()[1]
    run("answer", question, "yes")
    run("status", "monitoring")
    run("amend", question, "is it the primary db?")
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)  # warm


def test_new_file_behind_its_back_is_seen(journal: Journal, incident: str) -> None:
    journal_mod.load_state(journal, incident)  # cache built
    write_entry(journal, incident, make(1, at=datetime.now(UTC) + timedelta(hours=1)))
    state = journal_mod.load_state(journal, incident)
    assert "t0000001" in {e.id for e in state.entries}
    write_entry(journal, incident, make(2, at=START - timedelta(days=1)))  # sorts first: refold
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)


def test_deleted_file_is_seen(run: Run, journal: Journal, incident: str) -> None:
    noted = run("note", "will vanish").stdout.split()[1]
    assert noted in {e.id for e in journal_mod.load_state(journal, incident).entries}
    journal.resolve_entry(incident, noted).unlink()
    state = journal_mod.load_state(journal, incident)
    assert noted not in {e.id for e in state.entries}
    assert state == pure_state(journal, incident)


@pytest.mark.parametrize("how", ["rename", "in place"])
def test_same_size_same_mtime_rewrite_is_seen(journal: Journal, incident: str, how: str) -> None:
    path = write_entry(journal, incident, make(5))
    old = os.stat(path)
    journal_mod.load_state(journal, incident)
    data = path.read_bytes().replace(b"entry number 5", b"ENTRY NUMBER 5")
    assert len(data) == old.st_size
    if how == "rename":
        tmp = path.with_name(".swap")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    else:
        with path.open("r+b") as fh:
            fh.write(data)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))  # the mtime put back
    assert (os.stat(path).st_size, os.stat(path).st_mtime_ns) == (old.st_size, old.st_mtime_ns)
    texts = {e.id: e.text for e in journal_mod.load_state(journal, incident).entries}
    assert texts["t0000005"] == "ENTRY NUMBER 5"


def test_changed_incident_meta_is_seen(journal: Journal, incident: str) -> None:
    journal_mod.load_state(journal, incident)
    meta = journal.read_meta(incident)
    renamed = IncidentMeta(meta.id, "A new title", meta.opened_at, meta.opened_by)
    path = journal.incident_dir(incident) / "incident.toml"
    path.write_bytes(tomli_w.dumps(renamed.to_dict()).encode())
    assert journal_mod.load_state(journal, incident).title == "A new title"


def test_deleting_the_cache_changes_nothing(run: Run, journal: Journal, incident: str) -> None:
    run("note", "one")
    run("decide", "roll back", "--why", "errors doubled")
    before = (journal_mod.load_state(journal, incident), listed(run))
    cache_dir = journal.git_dir / "incjournal" / "cache"
    assert cache_dir.is_dir()
    for path in sorted(cache_dir.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    cache_dir.rmdir()
    assert (journal_mod.load_state(journal, incident), listed(run)) == before
    run("note", "after the cache was deleted")
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)


def test_corrupt_cache_files_are_ignored_and_rebuilt(
    run: Run, journal: Journal, incident: str
) -> None:
    run("note", "one")
    run("list")
    base = journal.git_dir / "incjournal" / "cache"
    files = [base / "state" / f"{incident}.pickle", base / "head" / f"{incident}.pickle"]
    files.append(base / "summaries.pickle")
    for garbage, path in zip((b"\x80\x05garbage", b"", pickle.dumps({"x": 1})), files, strict=True):
        path.write_bytes(garbage)
    run("note", "two")
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)
    assert "Checkout errors in EU" in run("list").stdout
    for path in files:
        assert isinstance(
            pickle.loads(path.read_bytes()), cache.Snapshot | cache.Head | cache.Summaries
        )


def test_an_append_reads_no_history(
    run: Run, journal: Journal, incident: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(150):
        write_entry(journal, incident, make(number))
    run("note", "first: builds the cache")
    read: list[str] = []
    real = cache.read_entry
    monkeypatch.setattr(cache, "read_entry", lambda path: read.append(path.name) or real(path))
    run("note", "second: the head alone")
    assert len(read) == 1  # only the file just written
    page = (journal.incident_dir(incident) / PAGE).read_text()
    assert page == incident_page(pure_state(journal, incident), journal.config)


def test_the_write_path_sees_files_from_a_pull(run: Run, journal: Journal, incident: str) -> None:
    for number in range(150):
        write_entry(journal, incident, make(number))
    run("note", "builds the cache")
    pulled = make(900, at=datetime.now(UTC) + timedelta(minutes=1))
    write_entry(journal, incident, pulled)
    run("note", "after the pull", "--at", "-0m")
    page = (journal.incident_dir(incident) / PAGE).read_text()
    assert "entry number 900" in page
    assert page == incident_page(pure_state(journal, incident), journal.config)


def test_the_write_path_refolds_a_backdated_entry(
    run: Run, journal: Journal, incident: str
) -> None:
    run("note", "now")
    run("status", "monitoring", "--at", "1h ago")
    run("note", "later")
    page = (journal.incident_dir(incident) / PAGE).read_text()
    assert page == incident_page(pure_state(journal, incident), journal.config)


def test_list_sees_another_incident_change(run: Run, journal: Journal, incident: str) -> None:
    assert "investigating" in run("list").stdout
    resolved = make(1, Kind.STATUS, at=datetime.now(UTC) + timedelta(minutes=1), state="resolved")
    write_entry(journal, incident, resolved)
    assert run("list").stdout.strip() == "no open incidents"


def test_folder_accepts_only_entries_that_sort_last() -> None:
    meta = IncidentMeta("2026-03-01-x", "x", START, "Bob")
    folder = Folder(meta)
    folder.apply(make(10))
    assert folder.accepts(make(11))
    assert not folder.accepts(make(9))
    assert not folder.accepts(make(12, Kind.AMEND, ref="t0000010"))


def test_states_at_equals_state_at_for_every_time() -> None:
    """The one-pass `states_at` (used by the review for every decision) matches `state_at`."""
    rng = random.Random(8)
    meta = IncidentMeta("2026-03-01-x", "x", START, "Bob")
    entries: list[Entry] = [make(0, Kind.OPEN, level=2, person="alice")]
    for number in range(1, 300):
        at = START + timedelta(minutes=rng.randint(0, 400))
        kind = rng.choice([Kind.NOTE, Kind.QUESTION, Kind.ANSWER, Kind.STATUS, Kind.AMEND,
                           Kind.STRIKE, Kind.DECISION, Kind.HYPOTHESIS, Kind.RULE_OUT])  # fmt: skip
        fields: dict[str, object] = {}
        if kind in (Kind.ANSWER, Kind.AMEND, Kind.STRIKE, Kind.RULE_OUT):
            fields["ref"] = rng.choice(entries).id
        if kind is Kind.STATUS:
            fields["state"] = rng.choice(["investigating", "monitoring", "resolved"])
        entries.append(make(number, kind, at=at, **fields))
    state = fold(meta, entries)
    whens = [START + timedelta(minutes=rng.randint(-5, 420)) for _ in range(60)]
    whens += [e.at for e in state.decisions]
    assert list(state.states_at(whens)) == [state.state_at(w) for w in whens]
    whens.sort()
    assert list(state.states_at(whens)) == [state.state_at(w) for w in whens]
