"""Commits and repository state, through the git binary's plumbing. Nothing else runs git
(`gitsync.py`, the plumbing of `ij sync`, runs it through the helpers here).

A write is committed without touching the user's staged work: the tree is built in a private
index (`<git dir>/incjournal/index`, kept in step with HEAD), committed with `commit-tree`, the
written paths are refreshed in the user's index, and HEAD moves with a compare-and-swap
`update-ref`. GitPython's pure-Python index is far too slow on large repositories for the write
path, and it is not needed for anything else here, so it is not imported at all.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from incjournal.errors import GitError

_AUTHOR = re.compile(r"^\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>]*)>)?\s*$")
_ZERO = "0" * 40
_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


def parse_identity(text: str) -> Identity | None:
    match = _AUTHOR.match(text)
    if not match or not match.group("name"):
        return None
    return Identity(match.group("name"), (match.group("email") or "").strip())


def git(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env} if env else None
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            env=full_env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH: install git first") from exc
    if check and proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc


def init_repo(root: Path) -> None:
    git(root, "init", "--quiet", "--initial-branch=main")


def configured_identity(root: Path) -> Identity | None:
    """The git user.name/user.email that applies in `root`, if any."""
    proc = git(root, "config", "--get-regexp", r"^user\.(name|email)$", check=False)
    values = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    name = values.get("user.name", "").strip()
    email = values.get("user.email", "").strip()
    if not name and not email:
        return None
    return Identity(name or email.split("@")[0], email)


def busy_reason(git_dir: Path) -> str | None:
    """Why a commit cannot be made now (rebase, merge, locked index, detached HEAD), or None."""
    checks = (
        ("rebase-merge", "a rebase is in progress"),
        ("rebase-apply", "a rebase or `git am` is in progress"),
        ("MERGE_HEAD", "a merge is in progress"),
        ("CHERRY_PICK_HEAD", "a cherry-pick is in progress"),
        ("REVERT_HEAD", "a revert is in progress"),
        ("index.lock", "another git process holds the index (.git/index.lock)"),
    )
    for name, reason in checks:
        if (git_dir / name).exists():
            return reason
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return "the repository has no HEAD file"
    if not head.startswith("ref:"):
        return "HEAD is detached (check out a branch)"
    return None


def commit_paths(
    root: Path,
    git_dir: Path,
    paths: Sequence[str],
    message: str,
    author: Identity,
    when: datetime,
    *,
    skip_if_unchanged: bool = False,
) -> str:
    """Commit exactly `paths` (relative to `root`) on top of HEAD; returns the new commit id.

    Callers hold the writer lock. Crash-safe at every step: `index.base` is removed before the
    private index changes and written back only once HEAD points at the commit built from it, and
    the user's index learns the paths before HEAD moves (a kill in between leaves them staged, never
    staged as deleted). With `skip_if_unchanged`, a tree equal to HEAD's makes no commit.
    """
    private = git_dir / "incjournal" / "index"
    base_file = private.with_name("index.base")
    env = {"GIT_INDEX_FILE": str(private)}
    clear_stale_lock(private)
    for attempt in range(5):
        head = _head(root, git_dir) if attempt == 0 else rev(root, "HEAD")
        base = base_file.read_text().strip() if base_file.exists() else None
        if base != head or not private.exists():
            git(root, "read-tree", *([head] if head else ["--empty"]), env=env)
        base_file.unlink(missing_ok=True)
        git(root, "update-index", "--add", "--remove", "--", *paths, env=env)
        tree = git(root, "write-tree", env=env).stdout.strip()
        if skip_if_unchanged and head and tree == rev(root, f"{head}^{{tree}}"):
            base_file.write_text(head + "\n")
            _refresh_user_index(root, paths)
            return head
        commit = _commit_tree(root, tree, head, message, author, when)
        _refresh_user_index(root, paths)
        moved = git(
            root,
            "update-ref",
            "-m",
            f"incjournal: {message.splitlines()[0]}",
            "HEAD",
            commit,
            head or _ZERO,
            check=False,
        )
        if moved.returncode == 0:
            base_file.write_text(commit + "\n")
            return commit
    raise GitError("HEAD kept moving while committing: try again")


def _head(root: Path, git_dir: Path) -> str:
    """HEAD's commit id read from its loose ref file (no git process), else from `git rev-parse`.

    Only a plain `ref: refs/heads/...` whose loose file holds an object id is read directly;
    packed refs, reftable, worktrees' common dirs and unborn branches go to git. A stale answer
    cannot do harm: the compare-and-swap `update-ref` refuses it and the retry asks git.
    """
    try:
        target = (git_dir / "HEAD").read_text().strip()
        if target.startswith("ref: refs/heads/") and not (git_dir / "commondir").exists():
            value = (git_dir / target[5:]).read_text().strip()
            if _OID.fullmatch(value):
                return value
    except (OSError, UnicodeDecodeError):
        pass
    return rev(root, "HEAD")


def rev(root: Path, name: str) -> str:
    """The object id `name` resolves to, or '' (e.g. HEAD of a repository with no commits)."""
    return git(root, "rev-parse", "-q", "--verify", name, check=False).stdout.strip()


def clear_stale_lock(index: Path, grace: float = 1.0) -> None:
    """Remove the lock file of one of ij's private indexes, left behind by a killed writer.

    Only ij uses these indexes and its callers hold the writer lock; a git child orphaned by the
    kill finishes within milliseconds, so it gets `grace` seconds before its lock counts as stale.
    """
    lock = index.with_name(index.name + ".lock")
    deadline = time.monotonic() + grace
    while lock.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    lock.unlink(missing_ok=True)


def _commit_tree(
    root: Path,
    tree: str,
    parent: str,
    message: str,
    author: Identity,
    when: datetime,
) -> str:
    date = f"{int(when.timestamp())} +0000"
    env = {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }
    args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
    return git(root, *args, env=env, stdin=message).stdout.strip()


def _refresh_user_index(root: Path, paths: Sequence[str]) -> None:
    """Record the committed paths in the user's index; nothing else in it changes."""
    git(root, "update-index", "--add", "--remove", "--", *paths, check=False)


def commit_message(incident_id: str, kind: str, headline: str, entry_id: str) -> str:
    first = headline or kind
    first = first if len(first) <= 72 else first[:71] + "…"
    return f"{incident_id}: {kind}: {first}\n\nIncident: {incident_id}\nEntry: {entry_id}\n"


def empty_tree(root: Path) -> str:
    return git(root, "mktree", stdin="").stdout.strip()


def git_bytes(
    root: Path, *args: str, env: Mapping[str, str] | None = None, stdin: bytes | None = None
) -> bytes:
    """git with bytes in and out, for paths that need not be UTF-8."""
    proc = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **env} if env else None,
        input=stdin,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        detail = os.fsdecode(proc.stderr).strip().splitlines()
        raise GitError(f"git {args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc.stdout
