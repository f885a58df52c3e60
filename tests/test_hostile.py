"""Hostile git states: each gives a clear message and loses nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run, entry_id, git, snapshot
from teamkit import assert_healthy, bare_remote, clone, committed_entries, first_clone


def _commit_file(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text)
    git(root, "add", name)
    git(root, "commit", "-qm", name)


def _page(root: Path, incident: str) -> str:
    return (root / "incidents" / incident / "README.md").read_text()


def test_rebase_in_progress(run: Run, journal_dir: Path, incident: str) -> None:
    _commit_file(journal_dir, "runbook.md", "base\n")
    git(journal_dir, "checkout", "-q", "-b", "side")
    _commit_file(journal_dir, "runbook.md", "side\n")
    git(journal_dir, "checkout", "-q", "main")
    _commit_file(journal_dir, "runbook.md", "main\n")
    git(journal_dir, "checkout", "-q", "side")
    rebase = subprocess.run(["git", "rebase", "main"], cwd=journal_dir, capture_output=True)
    assert rebase.returncode != 0 and (journal_dir / ".git" / "rebase-merge").is_dir()

    written = run("note", "written mid-rebase")
    assert written.stderr == (
        "ij: warning: saved, not committed: a rebase is in progress; "
        "the next write or `ij sync` commits it\n"
    )
    synced = run("sync", code=2)
    assert synced.stderr == (
        "ij: error: cannot sync now: a rebase is in progress; run `ij sync` again once git is "
        "free (entries written meanwhile are kept)\n"
    )
    assert "entry not committed yet" in run("check", code=1).stdout

    git(journal_dir, "rebase", "--abort")
    repaired = run("check", "--repair")
    assert "repair: committed " in repaired.stdout and repaired.stdout.endswith("journal ok\n")
    assert any(entry_id(written) in p for p in committed_entries(journal_dir))
    assert "written mid-rebase" in _page(journal_dir, incident)
    assert git(journal_dir, "status", "--porcelain") == ""


def _without_union_attributes(root: Path) -> None:
    """A journal made before `ij init` wrote .gitattributes: manual merges conflict."""
    git(root, "rm", "-q", ".gitattributes")
    git(root, "commit", "-qm", "no attributes")


def test_merge_in_progress_with_a_conflicting_derived_file(
    run: Run, journal_dir: Path, incident: str
) -> None:
    _without_union_attributes(journal_dir)
    git(journal_dir, "checkout", "-q", "-b", "side")
    run("note", "on the side branch")
    git(journal_dir, "checkout", "-q", "main")
    run("note", "on main")
    merge = subprocess.run(["git", "merge", "side"], cwd=journal_dir, capture_output=True)
    assert merge.returncode != 0 and "<<<<<<<" in _page(journal_dir, incident)

    written = run("note", "during the merge")
    assert "saved, not committed: a merge is in progress" in written.stderr
    page = _page(journal_dir, incident)
    assert "<<<<<<<" not in page  # rebuilt from the entries, not merged
    assert all(t in page for t in ("on the side branch", "on main", "during the merge"))
    assert "a merge is in progress" in run("sync", code=2).stderr

    git(journal_dir, "add", f"incidents/{incident}/README.md")
    git(journal_dir, "commit", "-q", "--no-edit")
    repaired = run("check", "--repair")
    assert repaired.stdout.endswith("journal ok\n")
    assert len(committed_entries(journal_dir)) == 4
    assert git(journal_dir, "status", "--porcelain") == ""


def test_conflict_markers_committed_in_a_derived_file_are_rebuilt_by_the_next_write(
    run: Run, journal_dir: Path, incident: str
) -> None:
    page = journal_dir / "incidents" / incident / "README.md"
    page.write_text("<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> side\n")
    git(journal_dir, "commit", "-qam", "merge resolved badly")
    run("note", "next write")
    assert "<<<<<<<" not in page.read_text() and "next write" in page.read_text()
    assert git(journal_dir, "status", "--porcelain") == ""


def test_conflict_markers_committed_in_a_derived_file_are_rebuilt_by_sync(
    tmp_path: Path,
) -> None:
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote)
    Run(alice)("open", "Queue backlog", "--id", "queue")
    (incident,) = os.listdir(alice / "incidents")
    page = alice / "incidents" / incident / "README.md"
    page.write_text("<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> side\n")
    git(alice, "commit", "-qam", "merge resolved badly")
    Run(alice)("sync")
    assert "<<<<<<<" not in git(remote, "show", f"main:incidents/{incident}/README.md")
    assert_healthy(alice)


def test_a_manual_git_pull_merge_never_stops_on_derived_files(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote)
    Run(alice)("open", "Queue backlog", "--id", "queue")
    Run(alice)("sync")
    (incident,) = os.listdir(alice / "incidents")
    bob = clone(tmp_path, remote, "bob")
    Run(alice)("note", "alice's note", "-i", incident)
    Run(bob)("note", "bob's note", "-i", incident)
    Run(alice)("sync")
    git(bob, "pull", "-q", "--no-rebase", "--no-edit")  # merge=union: no conflict stop
    Run(bob)("sync")
    Run(alice)("sync")
    assert _page(bob, incident) == _page(alice, incident)
    assert "alice's note" in _page(bob, incident) and "bob's note" in _page(bob, incident)
    assert_healthy(bob, linear=False)  # bob's own merge commit is his; it is pushed as it is


def test_detached_head(run: Run, journal_dir: Path, incident: str) -> None:
    git(journal_dir, "checkout", "-q", "--detach")
    first = run("note", "while detached")
    assert "saved, not committed: HEAD is detached (check out a branch)" in first.stderr
    assert "HEAD is detached (check out a branch)" in run("sync", code=2).stderr
    git(journal_dir, "checkout", "-q", "main")
    second = run("note", "back on main")
    assert second.stderr == ""
    committed = committed_entries(journal_dir)
    assert any(entry_id(first) in p for p in committed)
    assert any(entry_id(second) in p for p in committed)
    assert run("check").stdout == "journal ok\n"


def test_index_lock_held_by_another_git_process(run: Run, journal_dir: Path, incident: str) -> None:
    lock = journal_dir / ".git" / "index.lock"
    lock.write_text("")
    first = run("note", "index locked")
    assert f"git's lock {lock} exists" in first.stderr
    assert (journal_dir / ".git" / "index.lock").read_text() == ""  # never removed by ij
    synced = run("sync", code=2)
    assert synced.stderr.startswith("ij: error: cannot sync now: git's lock")
    lock.unlink()
    run("note", "index free again")
    assert any(entry_id(first) in p for p in committed_entries(journal_dir))
    assert run("check").stdout == "journal ok\n"


def test_journal_in_a_fresh_repository_with_no_commits(tmp_path: Path) -> None:
    repo = tmp_path / "ops"
    repo.mkdir()
    git(repo, "init", "-q")
    Run(repo)("init", "journal")
    journal = repo / "journal"
    Run(journal)("open", "Disk full", "--id", "disk")
    remote = bare_remote(tmp_path)
    git(repo, "remote", "add", "origin", str(remote))
    Run(journal)("sync")
    assert git(remote, "rev-parse", "main") == git(repo, "rev-parse", "HEAD")


def test_copied_journal_in_a_repository_with_no_commits(tmp_path: Path, journal_dir: Path) -> None:
    repo = tmp_path / "fresh"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copy(journal_dir / "incjournal.toml", repo / "incjournal.toml")
    unborn = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=repo)
    assert unborn.returncode != 0
    Run(repo)("open", "Cache stampede", "--id", "cache")
    assert len(git(repo, "rev-list", "HEAD").split()) == 1
    repaired = Run(repo)("check", "--repair")
    assert "repair: committed 1 file(s)" in repaired.stdout
    assert "incjournal.toml" in git(repo, "ls-files")
    assert git(repo, "status", "--porcelain") == ""


@pytest.fixture
def read_only() -> Iterator[list[Path]]:
    """Make folders unwritable: chmod for a user, the immutable flag for root (chmod binds
    no root). Restored afterwards."""
    folders: list[Path] = []
    yield folders
    for folder in folders:
        _set_read_only(folder, False)


def _set_read_only(folder: Path, on: bool) -> None:
    if os.geteuid() == 0:
        flag = "+i" if on else "-i"
        done = subprocess.run(["chattr", "-R", flag, str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("running as root on a file system without the immutable flag")
        return
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222 if on else mode | 0o200)


def test_read_only_incident_folder(
    run: Run, journal_dir: Path, incident: str, read_only: list[Path]
) -> None:
    folder = journal_dir / "incidents" / incident
    before = snapshot(journal_dir)
    read_only.append(folder)
    _set_read_only(folder, True)
    result = run("note", "cannot be written", code=2)
    assert result.stderr.startswith(f"ij: error: cannot use {folder}/entries: ")
    assert result.stderr.endswith("(check permissions and free disk space)\n")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    _set_read_only(folder, False)
    assert snapshot(journal_dir) == before
    assert run("check").stdout == "journal ok\n"


def test_read_only_journal_as_a_real_process(
    journal_dir: Path, incident: str, read_only: list[Path]
) -> None:
    from conftest import ij_subprocess

    before = snapshot(journal_dir)
    read_only.append(journal_dir)
    _set_read_only(journal_dir, True)
    result = ij_subprocess(journal_dir, "note", "cannot be written")
    assert result.returncode == 2
    assert result.stderr.startswith("ij: error: cannot use ")
    assert len(result.stderr.splitlines()) == 1
    _set_read_only(journal_dir, False)
    assert snapshot(journal_dir) == before


def test_an_unreadable_user_index_keeps_the_entry_pending_until_it_is_fixed(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """The commit is made from ij's own index; an index of the user's that git cannot read is
    left exactly as it was, and once fixed `ij check --repair` brings it in step."""
    index = journal_dir / ".git" / "index"
    good = index.read_bytes()
    index.write_bytes(b"not an index\n")

    written = run("note", "written while the index is broken")
    assert index.read_bytes() == b"not an index\n"  # not replaced by a half-made one
    assert entry_id(written) in git(journal_dir, "show", "-s", "--format=%B", "HEAD")

    index.write_bytes(good)
    run("note", "after the fix")
    run("check", "--repair")
    assert git(journal_dir, "status", "--porcelain") == ""
