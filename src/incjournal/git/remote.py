"""Git for `ij sync`'s transport: the upstream, fetch and push with progress (through GitPython).

GitPython reads the remotes and the configuration and runs `git fetch` / `git push` with their
progress reported to a `Progress` callback (`ij sync` draws it as a bar on a terminal). It is
imported only here, by `ij sync` (its import costs ~90 ms: `ij note` and the other writes never
load it).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from incjournal.core.errors import GitError
from incjournal.git.commit import git, rev

if TYPE_CHECKING:
    from git import Repo

Progress = Callable[[str, float, float | None], None]  # (what git is doing, done, of how many)

NETWORK_TIMEOUT = float(os.environ.get("INCJOURNAL_SYNC_TIMEOUT", "60"))
PUSHED = "refs/incjournal/push"  # the commit being pushed, named (GitPython reports on refs)


class Unreachable(GitError):
    """The remote could not be reached (offline, host down, path missing, no answer in time)."""


class Rejected(GitError):
    """The remote refused the push for a reason other than having moved on (hook, protection)."""


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
        _refused_here(str(getattr(infos.error, "stderr", infos.error)))
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
        _refused_here(str(exc.stderr or exc))
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH: install git first") from exc


def _refused_here(stderr: str) -> NoReturn:
    """Raise why a fetch or push failed: git's "failed to push some refs" with no ref refused
    means a local hook (pre-push) said no, not that the remote is out of reach."""
    if "failed to push some refs" in stderr:
        raise Rejected(
            "a local pre-push hook refused the push: commits kept here; run `git push` to see why"
        ) from None
    raise Unreachable(_said(stderr)) from None


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
