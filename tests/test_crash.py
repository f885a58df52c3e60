"""Crash safety: what a killed write can leave, and `ij check --repair` cleaning it up."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SRC, Run, entry_id, git
from teamkit import committed_entries, entry_files


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
    return int(done.stdout)


def test_temp_file_of_a_killed_writer_is_reported_then_removed(
    run: Run, journal_dir: Path, incident: str
) -> None:
    entries = journal_dir / "incidents" / incident / "entries"
    temp = entries / f".20250101T000000.000000Z-abcdefgh.toml.tmp-{_dead_pid()}-k2m4p6r8"
    temp.write_bytes(b'id = "abcdefgh"\nkind = "no')  # cut mid-write
    assert "leftover temp file of an interrupted write" in run("check", code=1).stdout
    repaired = run("check", "--repair")
    assert repaired.stdout == (
        f"repair: removed incidents/{incident}/entries/{temp.name}\njournal ok\n"
    )
    assert not temp.exists()


def test_temp_file_of_a_live_process_is_left_alone(
    run: Run, journal_dir: Path, incident: str
) -> None:
    entries = journal_dir / "incidents" / incident / "entries"
    temp = entries / f".x.toml.tmp-{os.getppid()}-k2m4p6r8"
    temp.write_bytes(b"")
    run("check", "--repair", code=1)
    assert temp.exists()


def test_incident_toml_of_an_open_killed_before_its_entry_is_removed(
    run: Run, journal_dir: Path, incident: str
) -> None:
    orphan = journal_dir / "incidents" / "2025-01-01-half-open"
    (orphan / "entries").mkdir(parents=True)
    (orphan / "incident.toml").write_text(
        'id = "2025-01-01-half-open"\ntitle = "x"\n'
        'opened_at = "2025-01-01T00:00:00Z"\nopened_by = "a"\n'
    )
    repaired = run("check", "--repair")
    assert "repair: removed incidents/2025-01-01-half-open/incident.toml\n" in repaired.stdout
    assert not orphan.exists()
    assert repaired.stdout.endswith("journal ok\n")


def test_complete_uncommitted_entry_is_committed_by_its_author(
    run: Run, journal_dir: Path, incident: str
) -> None:
    lock = journal_dir / ".git" / "index.lock"
    lock.write_text("")
    left = run("note", "killed before its commit", "--by", "Bob <bob@example.com>")
    lock.unlink()
    (journal_dir / ".git" / "incjournal" / "pending").unlink()  # as if killed before that too
    repaired = run("check", "--repair")
    assert repaired.stdout.startswith("repair: committed ")
    log = git(journal_dir, "log", "-1", "--format=%an <%ae>%n%s%n%b")
    assert log.startswith("Bob <bob@example.com>\njournal: commit entries left uncommitted\n")
    assert f"Entry: {entry_id(left)}" in log
    assert git(journal_dir, "status", "--porcelain") == ""


def test_the_next_write_commits_what_a_killed_write_left(
    run: Run, journal_dir: Path, incident: str
) -> None:
    state = journal_dir / ".git" / "incjournal"
    lock = journal_dir / ".git" / "index.lock"
    lock.write_text("")
    left = entry_id(run("note", "killed before its commit"))
    lock.unlink()
    (state / "pending").unlink()  # killed before the pending list was written...
    (state / "writing").touch()  # ...so the marker of a write under way is all that is left
    after = entry_id(run("note", "the next write"))
    subjects = git(journal_dir, "log", "-2", "--format=%s").splitlines()
    assert subjects[1] == "journal: commit entries left uncommitted"
    committed = committed_entries(journal_dir)
    assert any(left in p for p in committed) and any(after in p for p in committed)
    assert git(journal_dir, "status", "--porcelain") == ""
    assert not (state / "writing").exists()


def test_user_index_missing_a_committed_entry_is_refreshed_without_a_commit(
    run: Run, journal_dir: Path, incident: str
) -> None:
    note = entry_id(run("note", "committed"))
    path = next(p for p in committed_entries(journal_dir) if note in p)
    git(journal_dir, "rm", "-q", "--cached", path)  # what a refresh cut short would leave
    head = git(journal_dir, "rev-parse", "HEAD")
    run("check", "--repair")
    assert git(journal_dir, "rev-parse", "HEAD") == head
    assert git(journal_dir, "status", "--porcelain") == ""


def test_a_commit_cut_short_after_the_tree_is_built_leaks_nothing_into_the_next(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """A commit that stops after its tree is built (here: commit-tree refuses an empty name; in
    life: kill -9) never leaks its paths into a later one."""
    from incjournal.core.errors import GitError
    from incjournal.git import commit as gitlog

    (journal_dir / "scratch.txt").write_text("not the journal's\n")
    with pytest.raises(GitError):
        gitlog.commit_paths(
            journal_dir,
            journal_dir / ".git",
            ["scratch.txt"],
            "x",
            gitlog.Identity("", ""),
            datetime.now(UTC),
        )
    note = entry_id(run("note", "after the crash"))
    files = git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert "scratch.txt" not in files and any(note in f for f in files)


def test_killed_init_leaves_a_config_that_repair_commits(tmp_path: Path) -> None:
    root = tmp_path / "j"
    root.mkdir()
    git(root, "init", "-q")
    (root / "incjournal.toml").write_text('format = 1\ntimezone = "UTC"\n')
    repaired = Run(root)("check", "--repair")
    assert "repair: committed 1 file(s)" in repaired.stdout
    assert git(root, "ls-files") == "incjournal.toml\n"


# kill -9 at random moments --------------------------------------------------------------------
FORKER = """
import os, sys
from pathlib import Path
from incjournal import write as J
from incjournal.core.model import Kind
from incjournal.store.journal import Journal
from incjournal.render.page import incident_page  # noqa: F401  (loaded before forking)

root, acks = Path(sys.argv[1]), Path(sys.argv[2])
for line in sys.stdin:
    cmd, arg = line.split()
    if cmd == "reap":
        os.waitpid(int(arg), 0)
        print("reaped", flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        journal = Journal(root)
        with open(acks, "a") as out:
            for n in range(1000):
                r = J.record(journal, arg, J.Draft(Kind.NOTE, f"write {n}"))
                out.write(r.entry.id + "\\n")
                out.flush()
        os._exit(0)
    print(pid, flush=True)
"""


def _kill_at_random(forker: subprocess.Popen[str], incident: str, delay: float) -> None:
    assert forker.stdin and forker.stdout
    forker.stdin.write(f"go {incident}\n")
    forker.stdin.flush()
    pid = int(forker.stdout.readline())
    time.sleep(delay)  # the random moment: somewhere inside one of the writes
    os.kill(pid, signal.SIGKILL)
    forker.stdin.write(f"reap {pid}\n")
    forker.stdin.flush()
    assert forker.stdout.readline() == "reaped\n"
    _wait_for_orphans(pid)


def _wait_for_orphans(group: int) -> None:
    """git children of the killed writer finish on their own (milliseconds), as they would after
    a real crash; the next command runs after that. Zombies waiting for init do not count."""
    deadline = time.monotonic() + 30
    while _group_alive(group):
        assert time.monotonic() < deadline, "git children of the killed writer did not finish"
        time.sleep(0.002)


def _group_alive(group: int) -> bool:
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            return True
    return False


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    root = tmp_path / "j"
    Run(tmp_path)("init", str(root))
    incidents = [
        Run(root)("open", f"Crash {n}", "--id", f"crash{n}").stdout.split(" in ")[1].split()[0]
        for n in range(4)
    ]
    acks = tmp_path / "acks"
    acks.touch()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    rng = random.Random(20240611)
    with subprocess.Popen(
        [sys.executable, "-c", FORKER, str(root), str(acks)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as forker:
        for trial in range(200):
            _kill_at_random(forker, incidents[trial // 50], rng.uniform(0.0, 0.15))
            if trial % 2:
                Run(root)("check", "--repair")  # exit 0: repaired and `journal ok`
            else:  # the next write cleans up after the killed one
                Run(root)("note", f"after kill {trial}", "-i", incidents[trial // 50])
                assert Run(root)("check").stdout == "journal ok\n"
            acknowledged = set(acks.read_text().split())
            committed = {Path(p).name.split("-")[-1][:-5] for p in committed_entries(root)}
            assert acknowledged <= committed, f"trial {trial}: acknowledged write lost"
        assert forker.stdin
        forker.stdin.close()
    assert entry_files(root) == committed_entries(root)
    assert not list(root.rglob("*.tmp-*"))
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    git(root, "fsck", "--strict", "--no-progress")
