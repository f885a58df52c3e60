"""Commits and repository state, through the git binary. Nothing else runs git for commits
(`git/remote.py`, the transport of `ij sync`, runs it through the helpers here).

A write is committed with git's own `git commit` and a private index file kept in step with HEAD,
in which only the written paths are staged: the user's staged work stays out of it, and hooks,
signing, SHA-256 repositories and every other git setting work as for any commit. The user's
index then learns the written paths, so `git status` stays clean for them.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from incjournal.core.controls import visible
from incjournal.core.errors import GitError

_AUTHOR = re.compile(r"^\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>]*)>)?\s*$")
_ZERO = "0" * 40


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
        raise _failure(root, args[0], proc.stderr.strip() or proc.stdout.strip(), proc.returncode)
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
    """Why a commit cannot be made now (rebase, merge, a git lock, detached HEAD), or None."""
    checks = (
        ("rebase-merge", "a rebase is in progress"),
        ("rebase-apply", "a rebase or `git am` is in progress"),
        ("MERGE_HEAD", "a merge is in progress"),
        ("CHERRY_PICK_HEAD", "a cherry-pick is in progress"),
        ("REVERT_HEAD", "a revert is in progress"),
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
    from incjournal.git.locks import held_locks, lock_advice

    locks = held_locks(git_dir)
    return lock_advice(locks[0]) if locks else None


def commit_paths(
    root: Path,
    git_dir: Path,
    paths: Sequence[str],
    message: str,
    author: Identity,
    when: datetime,
    *,
    skip_if_unchanged: bool = True,
) -> str:
    """Commit exactly `paths` (relative to `root`; a missing file is removed) on top of HEAD with
    `git commit` and ij's private index; returns the new commit id (HEAD's when nothing changed).

    The private index (`<git dir>/incjournal/index`) holds HEAD's tree: it is read again from HEAD
    when HEAD is not the commit it was last in step with. Only `paths` are staged in it, so the
    user's staged work is never committed; hooks, signing and every git setting apply as for any
    `git commit`. git moves HEAD from the commit it read; a HEAD moved by another git command
    since the private index was read makes that commit wrong, so it is taken back (a
    compare-and-swap `update-ref`) and GitError raised: the caller keeps the entry pending.
    Afterwards the user's index learns `paths` (one `update-index`), so `git status` is clean for
    them. Callers hold the writer lock.
    """
    index = private_index(root, git_dir)
    staging = {"GIT_INDEX_FILE": str(index)}
    head = rev(root, "HEAD")
    _index_at(root, index, head)  # from here until it is in step again, it is read afresh
    listed = "".join(f"{path}\0" for path in paths)
    git(root, "update-index", "--add", "--remove", "-z", "--stdin", env=staging, stdin=listed)
    commit = (
        head
        if head and _unchanged(root, staging, head)
        else _commit(root, staging, head, message, _who(author, when))
    )
    _index_mark(index).write_text(commit)  # torn by a kill, it only mismatches: read afresh
    git(root, "update-index", "--add", "--remove", "-z", "--stdin", stdin=listed, check=False)
    return commit


def _commit(
    root: Path, staging: Mapping[str, str], head: str, message: str, who: Mapping[str, str]
) -> str:
    """`git commit` of the private index on `head`; the new commit, or GitError."""
    proc = git(
        root, "commit", "--quiet", "-F", "-", env={**staging, **who}, stdin=message, check=False
    )
    if proc.returncode != 0:
        raise GitError(f"git commit failed: {_said(proc)}")
    commit, parent = _commit_and_parent(root)
    if parent != head:  # another git command moved HEAD while this commit was being made
        undo = (
            ["update-ref", "HEAD", parent, commit]
            if parent
            else ["update-ref", "-d", "HEAD", commit]
        )
        git(root, *undo, check=False)
        raise GitError("HEAD moved while committing (another git command committed)")
    return commit


def private_index(root: Path, git_dir: Path) -> Path:
    """ij's own index file; a lock on it left by a killed commit is removed first (only ij uses
    it, under the writer lock the caller holds)."""
    state = git_dir / "incjournal"
    state.mkdir(exist_ok=True)
    clear_stale_lock(state / "index")
    return state / "index"


def _index_mark(index: Path) -> Path:
    """The file naming the commit the private index was last in step with."""
    return index.with_name("index.head")


def _index_at(root: Path, index: Path, head: str) -> None:
    """Make the private index hold `head`'s tree unless it was last in step with `head`."""
    mark = _index_mark(index)
    try:
        in_step = index.exists() and mark.read_text().strip() == head
    except OSError:
        in_step = False
    mark.unlink(missing_ok=True)
    if in_step:
        return
    env = {"GIT_INDEX_FILE": str(index)}
    git(root, "read-tree", *([head] if head else ["--empty"]), env=env)


def _unchanged(root: Path, staging: Mapping[str, str], head: str) -> bool:
    proc = git(root, "diff-index", "--cached", "--quiet", head, env=staging, check=False)
    return proc.returncode == 0


def _who(author: Identity, when: datetime) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_AUTHOR_DATE": f"{int(when.timestamp())} +0000",
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }


def _commit_and_parent(root: Path) -> tuple[str, str]:
    """HEAD's commit and its first parent ('' for a first commit)."""
    out = git(root, "log", "-1", "--format=%H %P", "HEAD").stdout.split()
    return out[0], out[1] if len(out) > 1 else ""


def _failure(root: Path, command: str, stderr: str, code: int) -> GitError:
    """A failed git command as one line; git's "dubious ownership" refusal said plainly."""
    if "dubious ownership" in stderr:
        return GitError(
            f"git refuses {root}: it belongs to another user; if you trust it, run "
            f"`git config --global --add safe.directory {root}`"
        )
    detail = stderr.splitlines()
    return GitError(f"git {command} failed: {detail[-1] if detail else code}")


def _said(proc: subprocess.CompletedProcess[str]) -> str:
    """What a failed git command (its hooks, its signer) said, on one line."""
    lines = [line.strip() for line in (proc.stderr + proc.stdout).splitlines() if line.strip()]
    text = " / ".join(lines[-4:]) or f"exit status {proc.returncode}"
    return text if len(text) <= 400 else text[:399] + "…"


def file_mode(st_mode: int) -> str:
    """The mode git records for a regular file: executable by its owner, or not."""
    return "100755" if st_mode & stat.S_IXUSR else "100644"


def spawn(root: Path, *args: str, stdin: bool = False) -> subprocess.Popen[bytes]:
    """A git process running in the background; `.communicate()` collects it."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=root,
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH: install git first") from exc


def toplevel(root: Path) -> tuple[Path, str]:
    """The work tree's top folder and `root`'s path inside it ('' or 'sub/dir/')."""
    out = git(root, "rev-parse", "--show-toplevel", "--show-prefix").stdout.splitlines()
    return Path(out[0]), out[1] if len(out) > 1 else ""


def status(root: Path, scope: Sequence[str]) -> dict[str, str]:
    """Paths under `scope` (relative to `root`) that differ from HEAD in any way (edited, staged,
    deleted, new or unmerged) -> their two-letter `git status --porcelain` code."""
    _top, prefix = toplevel(root)
    out = git_bytes(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *scope,
        env={"GIT_OPTIONAL_LOCKS": "0"},  # a look only: the user's index is not refreshed
    )
    fields = out.split(b"\0")
    found: dict[str, str] = {}
    i = 0
    while i < len(fields):
        record = os.fsdecode(fields[i])
        i += 1
        if len(record) < 4:
            continue
        code, path = record[:2], record[3:]
        if "R" in code or "C" in code:
            i += 1  # the rename's source follows
        if path.startswith(prefix):
            rel = path[len(prefix) :]
            found[rel] = "??" if found.get(rel) == "??" else code  # "D " + "??": on disk
    return found


def committed_contents(root: Path, paths: Sequence[Path]) -> dict[Path, bytes | None]:
    """What HEAD holds at each path (absolute, inside `root`), or None where it holds no file."""
    if not paths:
        return {}
    names = "".join(f"HEAD:./{os.path.relpath(p, root)}\n" for p in paths)
    out = git_bytes(root, "cat-file", "--batch", stdin=names.encode())
    contents: dict[Path, bytes | None] = {}
    for path in paths:
        header, _, out = out.partition(b"\n")
        if header.endswith(b" missing") or header.endswith(b" ambiguous"):
            contents[path] = None
            continue
        size = int(header.split()[-1])
        kind = header.split()[-2]
        contents[path] = out[:size] if kind == b"blob" else None
        out = out[size + 1 :]
    return contents


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


def commit_message(incident_id: str, kind: str, headline: str, entry_id: str) -> str:
    """The commit message of an entry: no control character of the user's text in it."""
    first = visible(headline) or kind
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
        raise _failure(root, args[0], os.fsdecode(proc.stderr).strip(), proc.returncode)
    return proc.stdout
