"""Commits go through git's own `git commit`: SHA-256, hooks, signing, git's locks, a full disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Run, git, ij_subprocess, pythonpath


def _hook(repo: Path, name: str, body: str) -> None:
    hook = repo / ".git" / "hooks" / name
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_a_sha256_journal_commits_every_write(tmp_path: Path) -> None:
    root = tmp_path / "j"
    root.mkdir()
    git(root, "init", "-q", "--object-format=sha256", "--initial-branch=main")
    run = Run(root)
    run("init", ".")
    run("open", "Checkout errors", "--sev", "2", "--id", "checkout")
    run("note", "second write")
    assert len(git(root, "rev-parse", "HEAD").strip()) == 64
    assert git(root, "rev-list", "--count", "HEAD").strip() == "3"
    assert git(root, "status", "--porcelain") == ""
    git(root, "fsck", "--strict")


def test_hooks_run_and_a_failing_pre_commit_keeps_the_entry_pending(
    run: Run, journal_dir: Path, incident: str
) -> None:
    _hook(journal_dir, "post-commit", 'touch "$(git rev-parse --git-dir)/post-commit-ran"\n')
    run("note", "with hooks")
    assert (journal_dir / ".git" / "post-commit-ran").exists()
    head = git(journal_dir, "rev-parse", "HEAD")
    _hook(journal_dir, "pre-commit", "echo 'lint says no: fix the widget' >&2\nexit 1\n")
    refused = run("note", "held back")
    assert "lint says no: fix the widget" in refused.stderr
    assert "saved, not committed" in refused.stderr
    assert git(journal_dir, "rev-parse", "HEAD") == head
    (journal_dir / ".git" / "hooks" / "pre-commit").unlink()
    run("note", "hook fixed")
    log = git(journal_dir, "log", "-1", "--name-only", "--format=")
    assert log.count("/entries/") == 2  # the held-back entry and this one, in one commit
    assert git(journal_dir, "status", "--porcelain") == ""


def test_head_moved_during_the_commit_is_never_overwritten(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """Another git command commits while ij's commit runs (here: from ij's own pre-commit hook,
    once): HEAD moves only by compare-and-swap, so the other commit stays and the entry waits."""
    _hook(
        journal_dir,
        "pre-commit",
        'd="$(git rev-parse --git-dir)"\n'
        '[ -e "$d/raced" ] && exit 0\n'
        'touch "$d/raced"\n'
        'export GIT_INDEX_FILE="$d/race-index"\n'
        "git read-tree HEAD && git commit -q --no-verify --allow-empty -m 'meanwhile'\n",
    )
    raced = run("note", "written while someone else commits")
    assert "saved, not committed" in raced.stderr
    assert git(journal_dir, "log", "-1", "--format=%s") == "meanwhile\n"
    run("note", "next write")
    subjects = git(journal_dir, "log", "-2", "--format=%s").splitlines()
    assert subjects[1] == "meanwhile"
    listed = git(journal_dir, "log", "-1", "--name-only", "--format=")
    assert listed.count("/entries/") == 2  # the one that waited and this one
    assert git(journal_dir, "status", "--porcelain") == ""


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_commit_gpgsign_with_an_ssh_key_signs_every_write(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    allowed = tmp_path / "allowed"
    allowed.write_text("alice@example.com " + (tmp_path / "key.pub").read_text())
    for name, value in (
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("commit.gpgsign", "true"),
        ("gpg.ssh.allowedSignersFile", str(allowed)),
    ):
        git(journal_dir, "config", name, value)
    run("note", "signed")
    assert git(journal_dir, "log", "-1", "--format=%G?").strip() == "G"


def test_a_failing_signer_keeps_the_entry_pending_with_its_message(
    run: Run, journal_dir: Path, incident: str
) -> None:
    git(journal_dir, "config", "commit.gpgsign", "true")
    git(journal_dir, "config", "gpg.program", "false")
    head = git(journal_dir, "rev-parse", "HEAD")
    result = run("note", "unsigned")
    assert "saved, not committed" in result.stderr and "sign" in result.stderr
    assert git(journal_dir, "rev-parse", "HEAD") == head
    git(journal_dir, "config", "commit.gpgsign", "false")
    run("check", "--repair")
    assert "unsigned" in git(journal_dir, "show", "HEAD")


@pytest.mark.parametrize("lock", ["index.lock", "refs/heads/main.lock"])
def test_a_stale_git_lock_is_named_and_repair_removes_it(
    run: Run, journal_dir: Path, incident: str, lock: str
) -> None:
    path = journal_dir / ".git" / lock
    path.touch()
    old = time.time() - 3600
    os.utime(path, (old, old))
    result = run("note", "blocked")
    assert str(path) in result.stderr and "ij check --repair" in result.stderr
    repaired = run("check", "--repair")
    assert not path.exists()
    assert str(path) in repaired.stdout
    assert "blocked" in git(journal_dir, "show", "HEAD")


@pytest.mark.real_clock  # a lock's age is the clock's distance to the file system's time
def test_a_fresh_git_lock_is_not_removed(run: Run, journal_dir: Path, incident: str) -> None:
    path = journal_dir / ".git" / "index.lock"
    path.touch()
    run("check", "--repair", code=None)
    assert path.exists()
    path.unlink()


_LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
sys.argv = ["ij", *sys.argv[1:]]
from incjournal.startup import main
main()
"""


def test_a_write_refused_for_lack_of_space_leaves_nothing(
    run: Run, journal_dir: Path, incident: str
) -> None:
    head = git(journal_dir, "rev-parse", "HEAD")
    before = sorted(p.name for p in (journal_dir / "incidents" / incident / "entries").iterdir())
    proc = subprocess.run(
        [sys.executable, "-c", _LIMITED, "note", "a note far longer than sixty-four bytes " * 3],
        cwd=journal_dir,
        env={**os.environ, "PYTHONPATH": pythonpath()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("ij: error:") and len(proc.stderr.splitlines()) == 1
    after = sorted(p.name for p in (journal_dir / "incidents" / incident / "entries").iterdir())
    assert after == before
    run("check", "--repair")
    assert git(journal_dir, "rev-parse", "HEAD") == head


def test_end_to_end_a_hook_message_reaches_a_real_process(
    journal_dir: Path, run: Run, incident: str
) -> None:
    _hook(journal_dir, "commit-msg", "echo 'commit-msg: missing ticket' >&2\nexit 1\n")
    proc = ij_subprocess(journal_dir, "note", "from a process")
    assert proc.returncode == 0
    assert "commit-msg: missing ticket" in proc.stderr
