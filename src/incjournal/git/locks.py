"""git's own lock files in the user's repository: which are held, and which are stale.

git takes `index.lock` to write the index and `<ref>.lock` (e.g. `refs/heads/main.lock`) to move
a branch, and removes them when done; a git process killed midway leaves them behind and every
later commit fails. git writes no process id into them, so a lock counts as stale (`ij check
--repair` removes it) only when both hold: it is older than `STALE_AFTER` seconds (git holds one
for milliseconds), and no running `git` process has its working folder in this repository (read
from /proc; where /proc cannot be read nothing counts as stale).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STALE_AFTER = 60.0


def held_locks(git_dir: Path) -> list[Path]:
    """git's lock files present now: the index's, HEAD's and the checked-out branch's."""
    names = ["index.lock", "HEAD.lock"]
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        head = ""
    if head.startswith("ref: "):
        names.append(head[5:] + ".lock")
    common = _common_dir(git_dir)
    found = [git_dir / n for n in names[:2]] + [common / n for n in names[2:]]
    return [path for path in found if path.exists()]


def lock_advice(lock: Path) -> str:
    return (
        f"git's lock {lock} exists (another git command is running, or one was killed): "
        "wait for it, or if no git command is running run `ij check --repair` (or remove the file)"
    )


def stale_locks(git_dir: Path, work_tree: Path) -> list[Path]:
    """The held locks that provably belong to no running git process (see module doc)."""
    locks = held_locks(git_dir)
    if not locks or _git_running_in((git_dir.resolve(), work_tree.resolve())):
        return []
    now = time.time()
    return [lock for lock in locks if now - _mtime(lock) > STALE_AFTER]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


def _git_running_in(folders: tuple[Path, ...]) -> bool:
    """Whether a `git` process works in one of `folders`; True when /proc cannot tell."""
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return True
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "git":
                continue
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if any(cwd == folder or folder in cwd.parents for folder in folders):
            return True
    return False


def _common_dir(git_dir: Path) -> Path:
    """Where a worktree's branches live: the main repository's git dir."""
    try:
        common = (git_dir / "commondir").read_text().strip()
    except OSError:
        return git_dir
    return (git_dir / common).resolve()
