"""The per-clone cache: outside the committed tree, never stale, safe to delete, corrupt -> rebuilt.

What its check detects (and these tests pin): an entry file added, removed, renamed, replaced by
rename or rewritten in place (even to the same size with its mtime put back: the ctime and inode
still change), incident.toml changed; the write path's head sees all of that except a rewrite in
place that leaves the folder untouched, which the next reader sees (and then rebuilds the head).
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import random
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from conftest import Run, entry_id, git
from hypothesis import given
from test_model import entries

from incjournal import write as journal_mod
from incjournal.core.errors import UnreadableEntry
from incjournal.core.fold import Folder, fold
from incjournal.core.model import Entry, IncidentMeta, Kind, entry_from_dict, entry_to_dict
from incjournal.render.page import incident_page
from incjournal.store import cache, renders
from incjournal.store.journal import PAGE, Journal, entry_filename
from incjournal.store.summaries import Summaries

pytestmark = pytest.mark.real_clock  # the cache trusts a file stamp by the clock's distance to it

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def pure_state(journal: Journal, incident_id: str):  # type: ignore[no-untyped-def]
    """The state with no cache at all: every file parsed and folded."""
    return fold(journal.read_meta(incident_id), journal.read_entries(incident_id))


def write_entry(journal: Journal, incident_id: str, entry: Entry) -> Path:
    """An entry file written behind ij's back, as `git pull` or another clone's sync would."""
    path = journal.entries_dir(incident_id) / entry_filename(entry)
    path.write_bytes(tomli_w.dumps(entry_to_dict(entry)).encode())
    return path


def pulled(journal: Journal) -> None:
    """Commit what `write_entry` wrote, as the pull that brought it would have."""
    git(journal.root, "add", "--all", "incidents")
    git(journal.root, "commit", "--quiet", "--message", "pulled")


def wait_until_trusted(paths: list[Path]) -> None:
    """Wait until the files' stamps are old enough to trust (git's racy-clean rule), as files
    pulled a while ago are: a fast machine writes them in the same clock tick as the next read."""
    while any(cache.too_recent(cache.stamp(p), time.time_ns()) for p in paths):
        time.sleep(0.05)


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
    review = run("review").stdout
    base = journal.git_dir / "incjournal" / "cache"
    files = [base / "state" / f"{incident}.pickle", base / "head" / f"{incident}.pickle"]
    files += [base / "summaries.pickle"]
    files += sorted((base / "renders").iterdir())
    garbage = (b"\x80\x05garbage", b"", pickle.dumps({"x": 1}), b"x")
    for junk, path in zip(garbage, files, strict=True):
        path.write_bytes(junk)
    assert run("review").stdout == review
    run("note", "two")
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)
    assert "Checkout errors in EU" in run("list").stdout
    kinds = cache.Snapshot | cache.Head | Summaries | renders.Rendered
    for path in files:
        assert isinstance(pickle.loads(path.read_bytes()), kinds)
    git(journal.root, "read-tree", "HEAD")  # the commit made without the kept trees is git's own
    assert git(journal.root, "write-tree") == git(journal.root, "rev-parse", "HEAD^{tree}")


def test_an_append_reads_no_history(
    run: Run, journal: Journal, incident: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wait_until_trusted([write_entry(journal, incident, make(number)) for number in range(150)])
    pulled(journal)
    first = entry_id(run("note", "first: builds the cache"))
    read: list[str] = []
    real = cache.read_entry
    monkeypatch.setattr(cache, "read_entry", lambda path: read.append(path.name) or real(path))
    second = entry_id(run("note", "second: the head alone"))
    # the file just written, and the one before when its stamp was too recent to trust yet
    assert read[-1].endswith(f"-{second}.toml")
    assert all(name.endswith((f"-{first}.toml", f"-{second}.toml")) for name in read)
    page = (journal.incident_dir(incident) / PAGE).read_text()
    assert page == incident_page(pure_state(journal, incident), journal.config)


def test_the_write_path_sees_files_from_a_pull(run: Run, journal: Journal, incident: str) -> None:
    for number in range(150):
        write_entry(journal, incident, make(number))
    run("note", "builds the cache")
    write_entry(journal, incident, make(900, at=datetime.now(UTC) + timedelta(minutes=1)))
    pulled(journal)
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


@pytest.mark.parametrize("seed", range(60))
def test_states_at_equals_state_at_for_every_time(seed: int) -> None:
    """The one-pass `states_at` (used by the review for every decision) matches `state_at`,
    amends and strikes of entries already applied included."""
    rng = random.Random(seed)
    meta = IncidentMeta("2026-03-01-x", "x", START, "Bob")
    entries: list[Entry] = [make(0, Kind.OPEN, level=2, person="alice")]
    for number in range(1, 300):
        at = START + timedelta(minutes=rng.randint(0, 400))
        kind = rng.choice([Kind.NOTE, Kind.QUESTION, Kind.ANSWER, Kind.STATUS, Kind.AMEND,
                           Kind.STRIKE, Kind.DECISION, Kind.HYPOTHESIS, Kind.RULE_OUT,
                           Kind.IMPACT, Kind.ACTION, Kind.RISK, Kind.SEVERITY])  # fmt: skip
        fields: dict[str, object] = {}
        if kind is Kind.SEVERITY:
            fields["level"] = rng.randint(1, 4)
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


# the lean form of entries ------------------------------------------------------------------------
def lean_round_trip(value: object) -> object:
    return pickle.loads(cache._dumps(value))


def test_parsed_entries_are_lean_and_equal_their_originals_field_by_field() -> None:
    """An entry read from its file holds only the fields the file gives (so the cache pickles it
    small); every other field reads the class's default, as for an entry built in full."""
    full = make(
        1, Kind.COMMAND, why="w", owner="o", due=START, ref="r", state="s", level=1, role="ic",
        person="p", audience="a", milestone="m", next_at=START, likelihood="l", impact="i",
        follow_up=True, title="t", command=("ls", "-l"), cwd="/", exit_code=0, duration_s=1.5,
        output="out", output_bytes=3, interrupted=True, file="f", nudge="n", until=START,
        tags=("x",), visibility="public", extra={"future": [1, 2]},
    )  # fmt: skip
    for entry in (full, make(2), dataclasses.replace(make(3), text="")):
        parsed = entry_from_dict(entry_to_dict(entry))
        for copy in (parsed, lean_round_trip(parsed), lean_round_trip(entry)):
            assert isinstance(copy, Entry)
            assert copy == entry
            for f in dataclasses.fields(Entry):
                assert getattr(copy, f.name) == getattr(entry, f.name), f.name
            assert entry_to_dict(copy) == entry_to_dict(entry)
            assert dataclasses.replace(copy, text="new") == dataclasses.replace(entry, text="new")
    assert len(vars(entry_from_dict(entry_to_dict(make(2))))) < len(dataclasses.fields(Entry)) // 2
    assert len(cache._dumps(entry_from_dict(entry_to_dict(make(2))))) < len(cache._dumps(make(2)))


@given(entries())
def test_lean_entries_round_trip(entry: Entry) -> None:
    parsed = entry_from_dict(entry_to_dict(entry))
    assert lean_round_trip([parsed, parsed, entry]) == [entry, entry, entry]


# what `ij list` and `ij stats` see -------------------------------------------------------------
@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust every stamp at once, so the tests below exercise the stamp comparisons themselves
    (a file written in the last RACY_NS is always re-read, which would hide a broken check).
    Each change below comes a whole command after the stamp it changes: a new clock tick.
    Trusted even a minute ahead of the clock: under a faked clock the test's clock is put back on
    the real one only to within a few milliseconds of the file system's."""
    monkeypatch.setattr(cache, "RACY_NS", -60 * 10**9)
    monkeypatch.setattr(cache, "FINE_RACY_NS", -60 * 10**9)


def later(number: int, kind: Kind = Kind.NOTE, **fields: object) -> Entry:
    """An entry that sorts after the incident's opening (which is now)."""
    return make(number, kind, at=datetime.now(UTC) + timedelta(minutes=number), **fields)


def rewrite_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Same size, same inode, mtime put back: only the ctime tells."""
    before = os.stat(path)
    data = path.read_bytes()
    assert len(old) == len(new) and old in data
    with path.open("r+b") as fh:
        fh.write(data.replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    assert after.st_ctime_ns != before.st_ctime_ns  # a command ran in between: a later tick


def severities(run: Run) -> dict[object, object]:
    return {row["id"]: row["severity"] for row in listed(run)}


def test_summary_rows_are_trusted_only_once_their_stamps_are_old(
    run: Run, journal: Journal, incident: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def row_stamps() -> object:
        path = journal.git_dir / "incjournal" / "cache" / "summaries.pickle"
        return pickle.loads(path.read_bytes()).rows[incident][0]

    for window in ("RACY_NS", "FINE_RACY_NS"):  # every stamp here is "just written"
        monkeypatch.setattr(cache, window, 3600 * 10**9)
    run("list")
    assert row_stamps() is None  # checked again next time
    for window in ("RACY_NS", "FINE_RACY_NS"):
        monkeypatch.setattr(cache, window, 0)
    run("list")
    assert row_stamps() is not None


def test_a_stamp_is_too_recent_within_its_file_systems_granularity() -> None:
    """Whole seconds may come from a file system that keeps nothing finer: 2 s of doubt. A
    sub-second stamp is from one that keeps fine times: 100 ms."""
    second = 10**9
    taken = 1_000 * second
    fine = (1, taken - 150_000_000, taken - 150_000_000, 1)
    coarse = (1, taken - second, taken - second, 1)
    assert not cache.too_recent(fine, taken)
    assert cache.too_recent((1, taken - 50_000_000, taken - 50_000_000, 1), taken)
    assert cache.too_recent(coarse, taken)
    assert not cache.too_recent((1, taken - 3 * second, taken - 3 * second, 1), taken)
    assert cache.too_recent((1, taken - 3 * second, taken - 50_000_000, 1), taken)  # ctime counts
    assert cache.too_recent(None, taken)


@pytest.mark.usefixtures("trusting")
def test_list_and_stats_see_an_entry_rewritten_in_place(
    run: Run, journal: Journal, incident: str
) -> None:
    path = write_entry(journal, incident, later(1, Kind.SEVERITY, level=1))
    assert severities(run) == {incident: 1}
    data = pickle.loads(
        (journal.git_dir / "incjournal" / "cache" / "summaries.pickle").read_bytes()
    )
    assert data.rows[incident][0] is not None  # trusted: the check below is the stamps'
    assert json.loads(run("stats", "--json").stdout)["by_severity"][0]["severity"] == 1
    rewrite_in_place(path, b"level = 1", b"level = 3")
    assert severities(run) == {incident: 3}
    # stats group by peak severity: opened as SEV2, the rewritten entry says SEV3 now
    assert json.loads(run("stats", "--json").stdout)["by_severity"][0]["severity"] == 2


@pytest.mark.usefixtures("trusting")
def test_list_sees_incident_meta_rewritten_in_place(
    run: Run, journal: Journal, incident: str
) -> None:
    assert [row["title"] for row in listed(run)] == ["Checkout errors in EU"]
    meta = journal.incident_dir(incident) / "incident.toml"
    rewrite_in_place(meta, b"Checkout errors in EU", b"Checkout errors in US")
    assert [row["title"] for row in listed(run)] == ["Checkout errors in US"]


@pytest.mark.usefixtures("trusting")
def test_list_sees_entry_files_added_removed_and_renamed(
    run: Run, journal: Journal, incident: str
) -> None:
    listed(run)
    path = write_entry(journal, incident, later(1, Kind.SEVERITY, level=1))
    assert severities(run) == {incident: 1}
    moved = path.with_name(entry_filename(later(2)))  # another name, same content
    path.rename(moved)
    assert severities(run) == {incident: 2}  # its name no longer matches its id: skipped
    moved.rename(path)
    assert severities(run) == {incident: 1}
    path.unlink()
    assert severities(run) == {incident: 2}


@pytest.mark.usefixtures("trusting")
def test_list_sees_incident_folders_come_and_go(run: Run, journal: Journal, incident: str) -> None:
    listed(run)
    other = journal.root / "incidents" / "2026-03-01-other"
    (other / "entries").mkdir(parents=True)
    assert severities(run) == {incident: 2}  # no incident.toml: not an incident (yet)
    meta = IncidentMeta("2026-03-01-other", "Other", START, "Bob")
    (other / "incident.toml").write_bytes(tomli_w.dumps(meta.to_dict()).encode())
    write_entry(journal, "2026-03-01-other", make(1, Kind.OPEN, level=4))
    assert severities(run) == {"2026-03-01-other": 4, incident: 2}
    shutil.rmtree(other)
    assert severities(run) == {incident: 2}


def test_list_and_stats_equal_with_and_without_the_cache(run: Run, journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    for number in range(6):
        meta = IncidentMeta(f"2026-03-0{number + 1}-i", f"Incident {number}", START, "Bob")
        folder = journal.root / "incidents" / meta.id
        (folder / "entries").mkdir(parents=True)
        (folder / "incident.toml").write_bytes(tomli_w.dumps(meta.to_dict()).encode())
        write_entry(journal, meta.id, make(number * 10, Kind.OPEN, level=number % 3 + 1))
        if number % 2:
            write_entry(journal, meta.id, make(number * 10 + 1, Kind.STATUS, state="monitoring"))
            write_entry(journal, meta.id, make(number * 10 + 2, Kind.STATUS, state="resolved"))
    cold = (listed(run), run("stats", "--json").stdout, run("list").stdout)
    assert (listed(run), run("stats", "--json").stdout, run("list").stdout) == cold
    shutil.rmtree(journal.git_dir / "incjournal" / "cache")
    assert (listed(run), run("stats", "--json").stdout, run("list").stdout) == cold
    assert len(cold[0]) == 6 and cold[2].count("\n") == 3  # three still open


@pytest.mark.usefixtures("trusting")
def test_trusted_snapshot_sees_an_entry_rewritten_in_place(
    run: Run, journal: Journal, incident: str
) -> None:
    path = write_entry(journal, incident, make(5))
    assert "entry number 5" in run("timeline").stdout  # the snapshot, all stamps trusted
    assert not cache.snapshot(journal, incident).racy
    rewrite_in_place(path, b"entry number 5", b"ENTRY NUMBER 5")
    texts = {e.id: e.text for e in journal_mod.load_state(journal, incident).entries}
    assert texts["t0000005"] == "ENTRY NUMBER 5"
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)


@pytest.mark.usefixtures("trusting")
def test_trusted_snapshot_sees_files_added_and_removed(
    run: Run, journal: Journal, incident: str
) -> None:
    run("timeline")
    path = write_entry(journal, incident, later(1))
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)
    run("timeline")
    path.unlink()
    state = journal_mod.load_state(journal, incident)
    assert "t0000001" not in {e.id for e in state.entries}
    assert state == pure_state(journal, incident)


# a cold read of many files --------------------------------------------------------------------
def test_a_cold_read_equals_a_plain_one(journal: Journal, incident: str) -> None:
    for number in range(40):
        write_entry(journal, incident, later(number, Kind.QUESTION if number % 3 else Kind.NOTE))
    assert journal_mod.load_state(journal, incident) == pure_state(journal, incident)


@pytest.mark.parametrize("which", [0, 39])
def test_a_bad_file_is_skipped_by_a_cached_read_as_by_a_plain_one(
    journal: Journal, incident: str, which: int
) -> None:
    paths = [write_entry(journal, incident, make(number)) for number in range(40)]
    paths[which].write_bytes(b"id = [not toml")
    with pytest.warns(UnreadableEntry, match=paths[which].name):
        plain = pure_state(journal, incident)
    for _ in range(2):  # the cache built, then the cache used: warned both times
        with pytest.warns(UnreadableEntry, match=paths[which].name):
            assert journal_mod.load_state(journal, incident) == plain


# renders kept with the stamps they were made from -----------------------------------------------
def uncached(run: Run, journal: Journal, *args: str) -> str:
    """The command's output with no cache at all (and the cache put back as it was not)."""
    shutil.rmtree(journal.git_dir / "incjournal" / "cache", ignore_errors=True)
    return run(*args).stdout


RENDERED = [("review",), ("timeline", "--json")]


@pytest.mark.usefixtures("trusting")
@pytest.mark.parametrize("args", RENDERED)
def test_a_kept_render_sees_every_kind_of_file_change(
    run: Run, journal: Journal, incident: str, args: tuple[str, ...]
) -> None:
    path = write_entry(journal, incident, make(5))
    first = run(*args).stdout
    assert run(*args).stdout == first  # served from the render: the same text
    renders = journal.git_dir / "incjournal" / "cache" / "renders"
    assert any(renders.iterdir())
    rewrite_in_place(path, b"entry number 5", b"ENTRY NUMBER 5")  # only the ctime tells
    changed = run(*args).stdout
    assert "ENTRY NUMBER 5" in changed and changed == uncached(run, journal, *args)
    added = write_entry(journal, incident, later(7))
    assert "entry number 7" in run(*args).stdout
    added.unlink()
    assert "entry number 7" not in run(*args).stdout
    meta = journal.incident_dir(incident) / "incident.toml"
    meta.write_text(meta.read_text().replace("title = ", 'title = "Renamed" # ', 1))
    if args == ("review",):
        assert "Renamed" in run(*args).stdout
    assert run(*args).stdout == uncached(run, journal, *args)


@pytest.mark.usefixtures("trusting")
def test_a_kept_review_follows_the_configured_zone(
    run: Run, journal: Journal, incident: str
) -> None:
    run("note", "late evening")
    config = journal.root / "incjournal.toml"
    text = re.sub(r"(?m)^timezone = .*$", 'timezone = "UTC"', config.read_text())
    config.write_text(text)
    assert "Times are shown in UTC" in run("review").stdout
    config.write_text(text.replace('timezone = "UTC"', 'timezone = "Asia/Tokyo"'))
    tokyo = run("review").stdout
    assert "Times are shown in UTC" not in tokyo and "JST" in tokyo
    assert tokyo == uncached(run, journal, "review")


@pytest.mark.usefixtures("trusting")
@pytest.mark.parametrize("args", RENDERED)
def test_a_broken_or_missing_render_is_rebuilt(
    run: Run, journal: Journal, incident: str, args: tuple[str, ...]
) -> None:
    write_entry(journal, incident, make(5))
    first = run(*args).stdout
    for render in (journal.git_dir / "incjournal" / "cache" / "renders").iterdir():
        render.write_bytes(b"\x80\x05 truncated")
    assert run(*args).stdout == first
    shutil.rmtree(journal.git_dir / "incjournal" / "cache" / "renders")
    assert run(*args).stdout == first


def test_a_filtered_timeline_is_never_served_the_whole_one(
    run: Run, journal: Journal, incident: str
) -> None:
    write_entry(journal, incident, make(5))
    whole = json.loads(run("timeline", "--json").stdout)
    only = json.loads(run("timeline", "--json", "--kind", "open").stdout)
    assert len(only) == 1 < len(whole)


def test_the_code_key_changes_with_any_file_of_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "incjournal"
    shutil.copytree(
        Path(cache.__file__).parent.parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    keys = []
    for change in ("none", "a template", "a module"):
        if change == "a template":
            next((copy / "templates").iterdir()).write_text("changed")
        elif change == "a module":
            (copy / "render" / "review.py").write_text("# changed\n")
        monkeypatch.setattr(cache, "__file__", str(copy / "store" / "cache.py"))
        cache.code_key.cache_clear()
        keys.append(cache.code_key())
    cache.code_key.cache_clear()
    assert len(set(keys)) == 3


def test_the_write_path_sees_a_file_added_behind_its_back(
    run: Run, journal: Journal, incident: str
) -> None:
    wait_until_trusted([write_entry(journal, incident, make(number)) for number in range(30)])
    pulled(journal)
    run("note", "builds the head")
    write_entry(journal, incident, make(900, at=datetime.now(UTC) - timedelta(seconds=1)))
    pulled(journal)

    run("note", "after it")
    page = (journal.incident_dir(incident) / PAGE).read_text()
    assert "entry number 900" in page
    assert page == incident_page(pure_state(journal, incident), journal.config)


def test_the_write_path_reads_again_a_file_whose_stamp_was_too_recent(
    run: Run, journal: Journal, incident: str
) -> None:
    """A rewrite in place in the clock tick of the head's stamp can keep the stamp the head has
    (forged here): the file was too recent to trust, so it is read again, and the head refused."""
    wait_until_trusted([write_entry(journal, incident, make(number)) for number in range(30)])
    pulled(journal)
    run("note", "builds the head")
    path = journal.git_dir / "incjournal" / "cache" / "head" / f"{incident}.pickle"
    head = pickle.loads(path.read_bytes())
    [name] = [n for n in head.racy if n in head.recent]  # the note just written
    edited = journal.entries_dir(incident) / name
    edited.write_text(edited.read_text().replace("builds the head", "edited by hand"))
    pulled(journal)
    head.files[name] = cache.stamp(edited)  # as if the edit kept the stamp
    path.write_bytes(pickle.dumps(head))

    run("note", "after it")
    page = (journal.incident_dir(incident) / PAGE).read_text()
    assert "edited by hand" in page
    assert page == incident_page(pure_state(journal, incident), journal.config)
