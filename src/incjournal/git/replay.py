"""The replay of local commits onto the remote branch, for `ij sync` (through git's own commands).

The replay is a rebase done in a private index (`<git dir>/incjournal/sync-index`): each local
commit's changes are applied path by path on top of the remote tip, then the branch moves there
like a fast-forward (`read-tree -m -u` + compare-and-swap `update-ref`). The work tree is never left
mid-rebase, the user's staged and unstaged changes stay as they were, and a path both sides changed
is resolved by the caller's rule (derived files: keep ours, rebuilt afterwards) or stops the sync
before anything changed. Only commits that are not on the remote are ever rewritten, by
`git commit-tree` (same author and message, signed when the repository signs its commits).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from incjournal.core.errors import GitError
from incjournal.git.commit import _ZERO, clear_stale_lock, empty_tree, git, git_bytes, rev

Blob = tuple[str, str]  # (mode, object id)
Resolve = Callable[[str], str | None]  # path -> "ours" | "theirs" | None (a real conflict)


class Conflict(GitError):
    """A local commit and the remote changed the same non-journal file differently."""


def count(root: Path, since: str | None, until: str) -> int:
    spec = f"{since}..{until}" if since else until
    return int(git(root, "rev-list", "--count", spec).stdout.strip() or 0)


def merge_base(root: Path, a: str, b: str) -> str:
    return git(root, "merge-base", a, b, check=False).stdout.strip()


def changed(root: Path, old: str, new: str) -> list[str]:
    """Paths (relative to the top folder) that differ between two commits; old='' is empty."""
    base = old or empty_tree(root)
    out = git_bytes(root, "diff-tree", "-r", "-z", "--name-only", "--no-renames", base, new)
    return [os.fsdecode(p) for p in out.split(b"\0") if p]


def checkout(top: Path, old: str, new: str) -> None:
    """Move the branch from `old` to `new` like a fast-forward: files that differ are updated,
    the user's staged and unstaged changes to other files stay exactly as they were."""
    git(top, "update-index", "-q", "--refresh", check=False)
    if rev(top, "HEAD") != old:
        raise GitError("HEAD moved during sync (another git command ran): run `ij sync` again")
    moved = git(top, "read-tree", "-m", "-u", old or empty_tree(top), new, check=False)
    if moved.returncode != 0:
        detail = (moved.stderr.strip().splitlines() or ["local changes are in the way"])[-1]
        raise GitError(
            f"sync stopped before changing anything: {detail.removeprefix('error: ').rstrip('.')}; "
            "commit or stash that change, then `ij sync` (your commits are kept)"
        )
    git(top, "update-ref", "-m", "incjournal: sync", "HEAD", new, old or _ZERO)


@dataclass(frozen=True)
class Replayed:
    head: str  # the new tip: the remote's tip plus the local commits, replayed
    commits: int  # local commits replayed (commits already on the remote are dropped)
    settled: tuple[str, ...]  # paths both sides changed, settled by the caller's rule


def local_commits(top: Path, onto: str | None, head: str, leave_out: str = "") -> list[str]:
    """Commits on HEAD that are not on the remote, oldest first (merges are flattened);
    `leave_out`: commits whose message holds this text are left out."""
    if not head:
        return []
    spec = [f"{onto}..{head}"] if onto else [head]
    skip = ["--invert-grep", "--fixed-strings", f"--grep={leave_out}"] if leave_out else []
    args = ["rev-list", "--reverse", "--topo-order", "--no-merges", *skip, *spec]
    return git(top, *args).stdout.split()


def replay(
    top: Path, git_dir: Path, onto: str, commits: Sequence[str], resolve: Resolve
) -> Replayed:
    """Replay `commits` on top of `onto` without touching the work tree or the user's index.

    Raises Conflict (nothing changed) when a path both sides changed has no rule in `resolve`.
    """
    index = git_dir / "incjournal" / "sync-index"
    env = {"GIT_INDEX_FILE": str(index)}
    clear_stale_lock(index)
    git(top, "read-tree", onto, env=env)
    current = _index_blobs(top, env)
    tip, tree, settled, done = onto, rev(top, f"{onto}^{{tree}}"), [], 0
    for commit in commits:
        raw = git_bytes(top, "cat-file", "commit", commit)
        changes = _changes(top, _first_parent(raw), commit)
        updates, paths = _merge(commit, changes, current, resolve)
        settled += paths
        if updates:
            git_bytes(top, "update-index", "-z", "--index-info", env=env, stdin=b"".join(updates))
        new_tree = git(top, "write-tree", env=env).stdout.strip()
        if new_tree != tree:  # a commit whose changes the remote already has is dropped
            tip, tree, done = _rewrite(top, raw, new_tree, tip), new_tree, done + 1
    index.unlink(missing_ok=True)
    return Replayed(tip, done, tuple(settled))


def _index_blobs(top: Path, env: dict[str, str]) -> dict[str, Blob]:
    out = git_bytes(top, "ls-files", "-s", "-z", env=env)
    blobs = {}
    for record in out.split(b"\0"):
        if record:
            info, path = record.split(b"\t", 1)
            mode, oid, _stage = info.decode().split()
            blobs[os.fsdecode(path)] = (mode, oid)
    return blobs


def _first_parent(raw: bytes) -> str:
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"parent "):
            return line[7:].decode().strip()
    return ""


def _changes(top: Path, parent: str, commit: str) -> list[tuple[str, Blob | None, Blob | None]]:
    base = parent or empty_tree(top)
    out = git_bytes(top, "diff-tree", "-r", "-z", "--no-renames", base, commit)
    fields = out.split(b"\0")
    changes = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if meta.startswith(b":"):
            old_mode, new_mode, old_id, new_id, _status = meta[1:].decode().split()
            changes.append((os.fsdecode(path), _blob(old_mode, old_id), _blob(new_mode, new_id)))
    return changes


def _blob(mode: str, oid: str) -> Blob | None:
    return None if mode.strip("0") == "" else (mode, oid)


def _merge(
    commit: str,
    changes: list[tuple[str, Blob | None, Blob | None]],
    current: dict[str, Blob],
    resolve: Resolve,
) -> tuple[list[bytes], list[str]]:
    """Index lines applying one commit's changes to `current` (updated in place)."""
    updates: list[bytes] = []
    settled: list[str] = []
    for path, old, new in changes:
        here = current.get(path)
        if here == new:
            continue
        if here != old:
            rule = resolve(path)
            if rule is None:
                raise Conflict(
                    f"sync stopped, nothing changed: your commit {commit[:7]} and the remote both "
                    f"changed {path}; combine them with `git pull --rebase`, then `ij sync`"
                )
            settled.append(path)
            if rule == "theirs":
                continue
        updates.append(_index_line(path, new, old or here))
        if new is None:
            current.pop(path, None)
        else:
            current[path] = new
    return updates, settled


def _index_line(path: str, new: Blob | None, old: Blob | None) -> bytes:
    if new is None:
        zero = "0" * len(old[1]) if old else _ZERO
        return f"0 {zero}\t".encode() + os.fsencode(path) + b"\0"
    return f"{new[0]} {new[1]}\t".encode() + os.fsencode(path) + b"\0"


def _rewrite(top: Path, raw: bytes, tree: str, parent: str) -> str:
    """The commit `raw` again with a new tree and parent, made by `git commit-tree`: the same
    author, author date and message, committed now by its committer (signed when the repository
    signs its commits)."""
    header, _, message = raw.partition(b"\n\n")
    people = {}
    for line in header.decode(errors="replace").split("\n"):
        key, _, value = line.partition(" ")
        if key in ("author", "committer"):
            who, stamp, zone = value.rsplit(" ", 2)
            name, _, email = who.partition(" <")
            people[key] = (name, email.rstrip(">"), f"{stamp} {zone}")
    env: dict[str, str] = {}
    if "author" in people:
        name, email, date = people["author"]
        env |= {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": date}
    if "committer" in people:
        name, email, _date = people["committer"]
        env |= {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    made = git_bytes(top, "commit-tree", tree, "-p", parent, env=env, stdin=message)
    return made.decode().strip()
