"""Git for `ij sync`: the upstream, fetch and push with progress (through GitPython), and the
replay of local commits onto the remote branch (through git's own commands).

GitPython reads the remotes and the configuration and runs `git fetch` / `git push` with their
progress reported to a `Progress` callback (`ij sync` draws it as a bar on a terminal). It is
imported only here, by `ij sync` (its import costs ~90 ms: `ij note` and the other writes never
load it).

The replay is a rebase done in a private index (`<git dir>/incjournal/sync-index`): each local
commit's changes are applied path by path on top of the remote tip, then the branch moves there
like a fast-forward (`read-tree -m -u` + compare-and-swap `update-ref`). The work tree is never left
mid-rebase, the user's staged and unstaged changes stay as they were, and a path both sides changed
is resolved by the caller's rule (derived files: keep ours, rebuilt afterwards) or stops the sync
before anything changed. Only commits that are not on the remote are ever rewritten, by
`git commit-tree` (same author and message, signed when the repository signs its commits).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incjournal.core.errors import GitError
from incjournal.git.commit import _ZERO, clear_stale_lock, empty_tree, git, git_bytes, rev

if TYPE_CHECKING:
    from git import Repo

Blob = tuple[str, str]  # (mode, object id)
Resolve = Callable[[str], str | None]  # path -> "ours" | "theirs" | None (a real conflict)
Progress = Callable[[str, float, float | None], None]  # (what git is doing, done, of how many)

NETWORK_TIMEOUT = float(os.environ.get("INCJOURNAL_SYNC_TIMEOUT", "60"))
PUSHED = "refs/incjournal/push"  # the commit being pushed, named (GitPython reports on refs)


class Unreachable(GitError):
    """The remote could not be reached (offline, host down, path missing, no answer in time)."""


class Rejected(GitError):
    """The remote refused the push for a reason other than having moved on (hook, protection)."""


class Conflict(GitError):
    """A local commit and the remote changed the same non-journal file differently."""


@dataclass(frozen=True)
class Upstream:
    remote: str
    branch: str  # the branch's name on the remote
    configured: bool  # False: guessed from the only remote; set after the first push

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.remote}/{self.branch}"

    def __str__(self) -> str:
        return f"{self.remote}/{self.branch}"


def repository(root: Path) -> Repo:
    """The repository through GitPython (imported here, on first use); its log stays quiet: what
    git said reaches the user through the errors raised here."""
    import git as gitpython

    logging.getLogger("git").addHandler(logging.NullHandler())
    try:
        return gitpython.Repo(root, search_parent_directories=True)
    except gitpython.exc.GitError as exc:
        raise GitError(f"cannot read the git repository at {root}: {exc}") from None


def _branch(repo: Repo) -> str:
    return "" if repo.head.is_detached else repo.active_branch.name


def upstream(root: Path) -> Upstream:
    """Where `ij sync` pulls from and pushes to: the branch's upstream, or the only remote."""
    repo = repository(root)
    branch = _branch(repo)
    config = repo.config_reader()
    section = f'branch "{branch}"'
    remote = str(config.get_value(section, "remote", "")) if branch else ""
    merge = str(config.get_value(section, "merge", "")) if branch else ""
    if remote and remote != "." and merge.startswith("refs/heads/"):
        return Upstream(remote, merge.removeprefix("refs/heads/"), True)
    remotes = [r.name for r in repo.remotes]
    if not remotes:
        raise GitError("no git remote to sync with: `git remote add origin URL`, then `ij sync`")
    if len(remotes) > 1:
        likely = "origin" if "origin" in remotes else remotes[0]
        raise GitError(
            f"branch {branch} has no upstream and there are several remotes: "
            f"`git branch --set-upstream-to {likely}/{branch}`, then `ij sync`"
        )
    return Upstream(remotes[0], branch, False)


def set_upstream(root: Path, up: Upstream) -> None:
    repo = repository(root)
    branch = _branch(repo)
    if branch:
        with repo.config_writer() as config:
            config.set_value(f'branch "{branch}"', "remote", up.remote)
            config.set_value(f'branch "{branch}"', "merge", f"refs/heads/{up.branch}")


def fetch(
    root: Path,
    up: Upstream,
    prompt: bool,
    timeout: float = NETWORK_TIMEOUT,
    progress: Progress | None = None,
) -> str | None:
    """Fetch the upstream branch into its remote-tracking ref; its tip, or None if the remote has
    no such branch yet. Raises Unreachable."""
    repo = repository(root)
    refspec = f"+refs/heads/{up.branch}:{up.tracking}"
    try:
        with _network(repo, prompt, timeout):
            repo.remote(up.remote).fetch(
                refspec, progress=_reporter(progress), kill_after_timeout=timeout, no_tags=True
            )
    except Unreachable as exc:
        if "couldn't find remote ref" in str(exc):
            return None
        raise
    return rev(root, up.tracking) or None


def push(
    root: Path,
    up: Upstream,
    commit: str,
    prompt: bool,
    timeout: float = NETWORK_TIMEOUT,
    progress: Progress | None = None,
) -> bool:
    """Push `commit` to the upstream branch, never forced; False when the remote moved meanwhile.
    Raises Unreachable, or Rejected when the remote refused for another reason."""
    from git import PushInfo

    repo = repository(root)
    git(root, "update-ref", PUSHED, commit)  # GitPython reports on a pushed ref, not a commit id
    try:
        with _network(repo, prompt, timeout):
            infos = repo.remote(up.remote).push(
                f"{PUSHED}:refs/heads/{up.branch}",
                progress=_reporter(progress),
                kill_after_timeout=timeout,
            )
    finally:
        git(root, "update-ref", "-d", PUSHED, check=False)
    refused = PushInfo.REMOTE_REJECTED | PushInfo.REMOTE_FAILURE | PushInfo.ERROR
    for info in infos:
        if info.flags & PushInfo.REJECTED or any(why in info.summary for why in _MOVED):
            return False  # the remote moved on: fetch and replay again
        if info.flags & refused:
            raise Rejected(f"{up.remote} refused the push: {info.summary.strip()}")
    if infos.error is not None:
        raise Unreachable(_said(str(getattr(infos.error, "stderr", infos.error))))
    git(root, "update-ref", up.tracking, commit, check=False)
    return True


_MOVED = ("failed to update ref", "failed to lock")  # the remote's branch moved meanwhile


@contextmanager
def _network(repo: Repo, prompt: bool, timeout: float) -> Iterator[None]:
    """Run a fetch or a push: without a password prompt unless `prompt`; a failure to reach the
    remote raised as Unreachable with what git said."""
    from git import GitCommandError

    started = time.monotonic()
    quiet = {} if prompt else {"GIT_TERMINAL_PROMPT": "0"}
    try:
        with repo.git.custom_environment(**quiet):
            yield
    except GitCommandError as exc:
        if time.monotonic() - started >= timeout:
            raise Unreachable(f"no answer within {timeout:.0f}s") from None
        raise Unreachable(_said(str(exc.stderr or exc))) from None
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH: install git first") from exc


def _said(stderr: str) -> str:
    """The line of git's message that says what went wrong."""
    lines = [ln.strip().strip("'") for ln in stderr.splitlines() if ln.strip().strip("'")]
    lines = [ln.removeprefix("stderr: ").strip("'") for ln in lines]
    useful = [ln for ln in lines if not ln.startswith(("hint:", "Please make sure"))]
    text = (useful or lines or ["git failed"])[0]
    return text.removeprefix("fatal: ").removeprefix("error: ")


STAGES = {  # GitPython's operation codes, as git words them
    "COUNTING": "Counting objects",
    "COMPRESSING": "Compressing objects",
    "WRITING": "Writing objects",
    "RECEIVING": "Receiving objects",
    "RESOLVING": "Resolving deltas",
    "FINDING_SOURCES": "Finding sources",
    "CHECKING_OUT": "Checking out files",
}


def _reporter(progress: Progress | None) -> Any:
    """A GitPython RemoteProgress that hands each update to `progress` (None: git's progress is
    not asked for)."""
    if progress is None:
        return None
    show: Progress = progress
    from git import RemoteProgress

    names = {getattr(RemoteProgress, code): words for code, words in STAGES.items()}

    class Reporter(RemoteProgress):
        def update(
            self, op_code: int, cur_count: Any, max_count: Any = None, message: str = ""
        ) -> None:
            stage = names.get(op_code & RemoteProgress.OP_MASK, "Working")
            show(stage, float(cur_count or 0), float(max_count) if max_count else None)

    return Reporter()


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
