"""Commits and repository state, through the git binary's plumbing. Nothing else runs git
(`gitsync.py`, the plumbing of `ij sync`, and `trees.py`, which edits a commit's tree objects,
run it through the helpers here).

A write is committed without touching the user's staged work: the tree is HEAD's with only the
folders on the way to the written paths rewritten (`trees.py`, no index), committed with
`commit-tree`, the written paths are refreshed in the user's index, and HEAD moves with a
compare-and-swap `update-ref`. GitPython's pure-Python index is far too slow on large repositories
for the write path, and it is not needed for anything else here, so it is not imported at all.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import stat
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incjournal.core.errors import GitError

if TYPE_CHECKING:  # trees.py (and hashlib) load only when a commit is made, not for reads
    from incjournal.git.trees import Record as Entry
    from incjournal.git.trees import Tree

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
    staging: subprocess.Popen[bytes] | None = None,
) -> str:
    """Commit exactly `paths` (relative to `root`; a missing file is removed) on top of HEAD;
    returns the new commit id.

    The new tree is HEAD's with only the folders on the way to `paths` rewritten, in git's binary
    tree form (`git.trees`): no index is read or written for it, so the cost does not grow
    with the number of files in the repository. Meanwhile the user's index learns the paths (in a
    parallel `update-index`: `staging`, started early by `stage`, or one started now), and it has
    them before HEAD moves with a compare-and-swap `update-ref`: a kill in between leaves them
    staged, never staged as deleted. Callers hold the writer lock. With `skip_if_unchanged`, a
    tree equal to HEAD's makes no commit.
    """
    from incjournal.git import trees

    _forget_private_index(git_dir)
    refresh = feed(staging or stage(root, git_dir), paths)
    try:
        top, prefix = (root, "") if git_dir == root / ".git" else toplevel(root)
        changes = _blobs(top, [prefix + Path(path).as_posix() for path in paths])
        for attempt in range(5):
            head = _head(root, git_dir) if attempt == 0 else rev(root, "HEAD")
            tree, folders = _tree_with(top, git_dir, head, changes)
            if skip_if_unchanged and head and tree == rev(root, f"{head}^{{tree}}"):
                return head
            commit = _commit_tree(root, tree, head, message, author, when)
            if staged(refresh):  # an early one may have met a passing `git status`: again
                refresh = feed(stage(root, git_dir), paths)
                if failed := staged(refresh):
                    raise GitError(f"git update-index failed: {failed}")
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
                trees.keep(git_dir, commit, folders)
                return commit
        raise GitError("HEAD kept moving while committing: try again")
    finally:
        staged(refresh)


def stage(root: Path, git_dir: Path) -> subprocess.Popen[bytes]:
    """Start the `update-index` that puts a commit's paths in the user's index: git locks and
    loads the index (the costly part of a large one) now, and takes the paths on its standard
    input (`feed`, once the files are written: git hashes them and writes the index meanwhile).
    Closing that input with no path, or this process dying, leaves the index as it was."""
    args = [*_split_index(root, git_dir), "update-index", "--add", "--remove", "-z", "--stdin"]
    return spawn(root, *args, stdin=True)


def feed(refresh: subprocess.Popen[bytes], paths: Sequence[str]) -> subprocess.Popen[bytes]:
    """Give a `stage` process its paths and close its input; once: a process already given
    them (its input closed) is left as it is."""
    assert refresh.stdin is not None
    if not refresh.stdin.closed:
        with contextlib.suppress(BrokenPipeError):  # git gone already: its exit status tells
            refresh.stdin.write(b"".join(os.fsencode(path) + b"\0" for path in paths))
            refresh.stdin.close()
    return refresh


def staged(refresh: subprocess.Popen[bytes]) -> str:
    """Wait for a `stage` process (its input closed now if it was not given paths: the index
    stays as it was); why it failed (e.g. another git process held the index), or ''. Asking
    again gives '' or the exit status."""
    assert refresh.stdin is not None and refresh.stdout is not None
    assert refresh.stderr is not None
    err = b""
    with refresh:  # closes its pipes, waits
        with contextlib.suppress(BrokenPipeError):
            refresh.stdin.close()
        if not refresh.stderr.closed:
            err, _ = refresh.stderr.read(), refresh.stdout.read()  # nothing comes on stdout
    if refresh.returncode == 0:
        return ""
    lines = os.fsdecode(err).strip().splitlines()
    return lines[-1] if lines else f"exit status {refresh.returncode}"


def write_ahead(
    root: Path, git_dir: Path, files: Mapping[Path, bytes], *, own_folder: bool = False
) -> None:
    """Start writing the trees a commit of `files` (just written, with these bytes) will need,
    while the caller does the rest of its write; the commit collects them (`trees.start`). With
    `own_folder`, only the tree of the folder they are in: its parents wait for files still to
    come. Only for a journal at its repository's top, on a HEAD that is ij's last commit (its
    trees kept: nothing to read first); a guess the commit does not use costs nothing else."""
    from incjournal.git import trees

    if git_dir != root / ".git":
        return
    with contextlib.suppress(OSError, GitError):  # only ever a head start: the commit decides
        head = _head(root, git_dir)
        if not head:
            return
        algorithm = trees.object_format(root, head)
        changes: dict[str, Entry | None] = {}
        for path, data in files.items():
            blob = trees.object_id(algorithm, b"blob", data)
            mode = file_mode(os.stat(path).st_mode)
            changes[path.relative_to(root).as_posix()] = (mode, "blob", blob)
        folders = _folders(changes)
        old = {f: t for f, t in trees.kept(git_dir, head).items() if f in folders}
        if not changes or old.keys() != folders:
            return
        _, new, written = _new_trees(old, changes, algorithm)
        if own_folder:
            deepest = max(folders, key=lambda f: f.count("/") + bool(f))
            written = {new[deepest].object_id(algorithm): new[deepest].raw}
        trees.start(root, written)


def settle() -> None:
    """Wait for trees written ahead that no commit used (`trees.settle`)."""
    from incjournal.git import trees

    trees.settle()


# From this size of the user's index (~30,000 files) every `update-index` rewriting all of it costs
# more than the rest of a write; git's split-index mode writes only what changed.
SPLIT_INDEX_FROM = 4 * 1024 * 1024


def _split_index(root: Path, git_dir: Path) -> list[str]:
    """Options that switch a large user index to git's split-index mode, unless the repository
    says `core.splitIndex = false`. Once split, the index file is small and git keeps the mode."""
    try:
        size = (git_dir / "index").stat().st_size
    except OSError:
        return []
    if size < SPLIT_INDEX_FROM:
        return []
    setting = git(root, "config", "--type=bool", "--get", "core.splitIndex", check=False)
    return [] if setting.stdout.strip() == "false" else ["-c", "core.splitIndex=true"]


def file_mode(st_mode: int) -> str:
    """The mode git records for a regular file: executable by its owner, or not."""
    return "100755" if st_mode & stat.S_IXUSR else "100644"


def _blobs(top: Path, names: Sequence[str]) -> dict[str, Entry | None]:
    """What each path (named from the repository top) becomes: a blob entry, or None (gone)."""
    changes: dict[str, Entry | None] = {}
    files: list[tuple[str, str]] = []  # (name, mode)
    for name in names:
        try:
            st_mode = os.lstat(top / name).st_mode
        except FileNotFoundError:
            changes[name] = None
            continue
        if stat.S_ISLNK(st_mode):
            target = os.fsencode(os.readlink(top / name))
            oid = git_bytes(top, "hash-object", "-w", "--stdin", stdin=target).decode().strip()
            changes[name] = ("120000", "blob", oid)
        else:
            files.append((name, file_mode(st_mode)))
    lines = [(name, mode) for name, mode in files if "\n" not in name]
    if lines:
        listed = "".join(f"{name}\n" for name, _ in lines)
        oids = git(top, "hash-object", "-w", "--stdin-paths", stdin=listed).stdout.split()
    else:
        oids = []
    odd = [(name, mode) for name, mode in files if "\n" in name]  # --stdin-paths cannot carry
    oids += [git(top, "hash-object", "-w", "--", name).stdout.strip() for name, _ in odd]
    for (name, mode), oid in zip(lines + odd, oids, strict=True):
        changes[name] = (mode, "blob", oid)
    return changes


def _tree_with(
    top: Path, git_dir: Path, head: str, changes: Mapping[str, Entry | None]
) -> tuple[str, dict[str, Tree]]:
    """The id of HEAD's tree with `changes` applied, rewriting only the folders they are in
    (`incjournal.git.trees`), and the new trees of those folders."""
    from incjournal.git import trees

    folders = _folders(changes)
    algorithm = trees.object_format(top, head)
    oid_size = trees.id_size(algorithm)
    old = {f: t for f, t in trees.kept(git_dir, head).items() if f in folders}
    old.update(trees.read(top, head, folders - old.keys(), oid_size))
    oid, new, written = _new_trees(old, changes, algorithm)
    trees.write(top, written)
    return oid, new


def _folders(changes: Mapping[str, Entry | None]) -> set[str]:
    """The folders on the way to the changed paths, the top ("") included."""
    folders = set()
    for path in changes:
        folder = posixpath.dirname(path)
        while folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder) if folder else ""
    return folders


def _new_trees(
    old: Mapping[str, Tree], changes: Mapping[str, Entry | None], algorithm: str
) -> tuple[str, dict[str, Tree], dict[str, bytes]]:
    """The top's new id, each folder's new tree and what is to be written (id -> content),
    deepest folder first: each new tree goes into its parent."""
    from incjournal.git import trees

    pending: dict[str, dict[str, Entry | None]] = {}
    for path, entry in changes.items():
        folder, name = posixpath.split(path)
        pending.setdefault(folder, {})[name] = entry
    new: dict[str, Tree] = {}
    written: dict[str, bytes] = {}
    for folder in sorted(old, key=lambda f: f.count("/") + bool(f), reverse=True):
        tree = new[folder] = old[folder].edited(pending.get(folder, {}))
        oid = tree.object_id(algorithm) if tree.raw or not folder else None
        if oid is not None:
            written[oid] = tree.raw
        if not folder:
            return str(oid), new, written
        parent, name = posixpath.split(folder)
        pending.setdefault(parent, {})[name] = (trees.TREE_MODE, "tree", oid) if oid else None
    raise AssertionError("unreachable: the top folder is always rewritten")


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


def _forget_private_index(git_dir: Path) -> None:
    """The first version kept a private index of the whole tree here; it is not used any more."""
    state = git_dir / "incjournal"
    if (state / "index.base").exists():
        for name in ("index", "index.base", "index.lock"):
            (state / name).unlink(missing_ok=True)


def toplevel(root: Path) -> tuple[Path, str]:
    """The work tree's top folder and `root`'s path inside it ('' or 'sub/dir/')."""
    out = git(root, "rev-parse", "--show-toplevel", "--show-prefix").stdout.splitlines()
    return Path(out[0]), out[1] if len(out) > 1 else ""


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
