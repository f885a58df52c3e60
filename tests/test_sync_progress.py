"""`ij sync` through GitPython: progress on a terminal, quiet when piped; the writes never load it;
a round adds at most one derived-file commit, none when nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Run, git, ij_subprocess, pythonpath
from teamkit import assert_healthy, bare_remote, clone, first_clone
from terminal import run_in_pty


def _team(tmp_path: Path) -> tuple[Path, Path, Path]:
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote)
    Run(alice)("open", "Database slow", "--id", "db", "--sev", "2")
    Run(alice)("sync")
    return remote, alice, clone(tmp_path, remote, "bob")


def test_sync_on_a_terminal_shows_git_progress_and_piped_shows_none(tmp_path: Path) -> None:
    _remote, alice, bob = _team(tmp_path)
    for number in range(3):
        Run(alice)("note", f"step {number}")
    shown = run_in_pty(alice, "sync")
    assert shown.code == 0, shown.output
    assert "Writing objects" in shown.output  # git's push progress, drawn by rich
    assert "synced with origin/main: received 0 commit(s), pushed 3" in shown.output

    piped = ij_subprocess(bob, "sync")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == "synced with origin/main: received 3 commit(s), pushed 0\n"
    assert piped.stderr == ""
    quiet = run_in_pty(bob, "sync", "--quiet")
    assert quiet.code == 0 and quiet.output == ""


_PROBE = """
import atexit, sys
sys.argv = ["ij", *sys.argv[1:]]
atexit.register(lambda: print("GitPython" if "git" in sys.modules else "-", file=sys.stderr))
from incjournal.startup import main
main()
"""


@pytest.mark.parametrize(
    "args",
    [("note", "db slow"), ("decide", "roll back", "--why", "errors began"), ("list",)],
)
def test_the_writes_never_import_gitpython(tmp_path: Path, args: tuple[str, ...]) -> None:
    _remote, alice, _bob = _team(tmp_path)
    run = [sys.executable, "-c", _PROBE, *args]
    env = {**os.environ, "PYTHONPATH": pythonpath()}
    proc = subprocess.run(run, cwd=alice, capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "-"
    synced = subprocess.run(
        [*run[:3], "sync"], cwd=alice, capture_output=True, text=True, env=env, check=False
    )
    assert synced.stderr.strip().splitlines()[-1] == "GitPython"  # the probe can tell


def _rebuilds(root: Path) -> int:
    subjects = git(root, "log", "--format=%s").splitlines()
    return subjects.count("journal: rebuild derived files after sync")


def test_a_sync_adds_at_most_one_rebuild_commit_and_none_when_nothing_changed(
    tmp_path: Path,
) -> None:
    _remote, alice, bob = _team(tmp_path)
    Run(alice)("status", "identified", "slow query found")
    Run(bob)("impact", "EU checkout 30% errors", "-i", "db")
    Run(alice)("sync")
    before = len(git(bob, "rev-list", "HEAD").split())
    Run(bob)("sync")
    assert _rebuilds(bob) == 1
    assert len(git(bob, "rev-list", "HEAD").split()) == before + 1 + 1  # alice's, the rebuild
    for _round in range(2):
        head = git(bob, "rev-parse", "HEAD")
        assert Run(bob)("sync").stdout == "up to date with origin/main\n"
        assert git(bob, "rev-parse", "HEAD") == head
    Run(alice)("sync")
    assert _rebuilds(alice) == 1  # received, not made again
    assert_healthy(bob)
