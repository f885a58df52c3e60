"""`ij sync`: share the journal through any git remote (and the background round of an auto-sync).

One round: commit whatever a crash or a busy git left uncommitted (repair), fetch the upstream
branch, replay the local commits on top of it (git.remote.replay: a rebase that never stops halfway,
keeps the user's uncommitted work as it is and never touches commits already on the remote),
rebuild the derived files of the incidents changed locally (they are never merged: a path both
sides changed is settled by taking our side, then rebuilt), commit that rebuild, push. When the
remote moved meanwhile, the round runs again. Offline, everything stays committed locally.

A write in a journal with `[sync] auto = true` asks for a round in the background
(`incjournal.sync_request`). Locks: `sync.lock` serialises syncs of one clone (an auto-sync hands
it to its background process); the writer lock is held only while the branch is being changed,
never across the network.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from incjournal import commits
from incjournal.core.errors import GitError, IncJournalError
from incjournal.core.times import to_rfc3339, utcnow
from incjournal.git import commit as gitlog
from incjournal.git import remote as gitsync
from incjournal.git import replay as replaying
from incjournal.repair import DERIVED, META_PATH, committer, repair_held
from incjournal.store.journal import INCIDENTS, Journal, atomic_write
from incjournal.store.lock import name_holder, try_lock, writer_lock
from incjournal.sync_request import REQUESTED, STATUS, SYNC_LOCK
from incjournal.write_checks import refuse_newer

REBUILT = "journal: rebuild derived files after sync"  # the subject of a rebuild's commit
ATTEMPTS = 5
SYNC_WAIT = 180.0  # how long `ij sync` waits for a sync already running in this clone
BACKGROUND_TIMEOUT = 20.0  # per network call of a background sync


class SyncError(GitError):
    pass


class GitBusy(SyncError):
    """A git lock, rebase or merge in the way: usually over in a moment."""


BUSY_PAUSES = (0.5, 1.0, 2.0, 4.0)  # a background round waits out a busy git this long


@dataclass(frozen=True)
class SyncReport:
    upstream: str
    received: int = 0
    pushed: int = 0
    offline: str | None = None  # why the remote could not be reached
    unpushed: int = 0  # local commits waiting for the remote
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """What `ij sync` prints on stdout (the offline warning goes to stderr)."""
        if self.offline:
            return list(self.notes)
        if not self.received and not self.pushed:
            return [*self.notes, f"up to date with {self.upstream}"]
        got = f"received {self.received} commit(s)"
        return [*self.notes, f"synced with {self.upstream}: {got}, pushed {self.pushed}"]

    def warning(self) -> str | None:
        if not self.offline:
            return None
        return (
            f"cannot reach {self.upstream} ({self.offline}): {self.unpushed} local commit(s) "
            "kept, not pushed; `ij sync` again when the remote is back"
        )


def sync(
    journal: Journal,
    *,
    prompt: bool = True,
    timeout: float | None = None,
    progress: gitsync.Progress | None = None,
) -> SyncReport:
    """Sync this clone with its upstream; waits for a sync already running here. `progress`
    hears what git's fetch and push report as they go."""
    refuse_newer(journal)
    refuse_busy(journal)
    up = gitsync.upstream(journal.root)
    with writer_lock(journal.state_dir, "ij sync", SYNC_WAIT, name=SYNC_LOCK):
        (journal.state_dir / REQUESTED).unlink(missing_ok=True)
        return recorded(journal, lambda: sync_held(journal, up, prompt, timeout, progress))


def refuse_busy(journal: Journal) -> None:
    reason = gitlog.busy_reason(journal.git_dir)
    if reason:
        raise GitBusy(
            f"cannot sync now: {reason}; run `ij sync` again once git is free "
            "(entries written meanwhile are kept)"
        )


def sync_held(
    journal: Journal,
    up: gitsync.Upstream,
    prompt: bool,
    timeout: float | None,
    progress: gitsync.Progress | None = None,
) -> SyncReport:
    """The rounds of one sync; the caller holds the sync lock."""
    wait = timeout or gitsync.NETWORK_TIMEOUT
    notes = _integrate(journal, up, None)
    received = 0
    for _attempt in range(ATTEMPTS):
        try:
            remote = gitsync.fetch(journal.root, up, prompt, wait, progress)
        except gitsync.Unreachable as exc:
            return _offline(journal, up, str(exc), notes)
        before = gitlog.rev(journal.root, "HEAD")
        notes += _integrate(journal, up, remote)
        head = gitlog.rev(journal.root, "HEAD")
        received += replaying.count(journal.root, before, remote) if remote and before else 0
        if not head or head == remote:
            return SyncReport(str(up), received, 0, notes=tuple(notes))
        ahead = replaying.count(journal.root, remote, head)
        try:
            if gitsync.push(journal.root, up, head, prompt, wait, progress):
                if not up.configured:
                    gitsync.set_upstream(journal.root, up)
                return SyncReport(str(up), received, ahead, notes=tuple(notes))
        except gitsync.Unreachable as exc:
            return _offline(journal, up, str(exc), notes)
    raise SyncError(f"{up} kept moving while syncing: run `ij sync` again")


def _offline(journal: Journal, up: gitsync.Upstream, why: str, notes: list[str]) -> SyncReport:
    head = gitlog.rev(journal.root, "HEAD")
    remote = gitlog.rev(journal.root, up.tracking) or None
    ahead = replaying.count(journal.root, remote, head) if head else 0
    return SyncReport(str(up), offline=why, unpushed=ahead, notes=tuple(notes))


def _integrate(journal: Journal, up: gitsync.Upstream, remote: str | None) -> list[str]:
    """Under the writer lock: repair, then (with a fetched tip) replay onto it and rebuild."""
    with writer_lock(journal.state_dir, "ij sync"):
        refuse_busy(journal)
        fixed = repair_held(journal)
        if fixed.blocked:
            raise SyncError(f"cannot sync: {fixed.blocked}")
        notes = [*fixed.left]
        if remote is None:
            return notes
        top, prefix = gitlog.toplevel(journal.root)
        head = gitlog.rev(top, "HEAD")
        base = replaying.merge_base(top, head, remote) if head else ""
        if base == remote:
            new = head
        elif base == head:
            new = remote  # fast-forward
        else:
            # a rebuild of derived files not pushed yet is done again below: one per round
            local = replaying.local_commits(top, remote, head, leave_out=REBUILT)
            replayed = replaying.replay(top, journal.git_dir, remote, local, _resolver(prefix))
            new = replayed.head
            notes += _settled(replayed.settled)
        if new != head:
            replaying.checkout(top, head, new)
        if base != head:
            notes += rebuild(journal, _incidents(replaying.changed(top, base, head), prefix))
        return notes


def _resolver(prefix: str) -> replaying.Resolve:
    """How a path both sides changed is settled: derived files are rebuilt afterwards, so either
    side will do; an incident opened on both sides keeps the remote's creation facts; anything
    else is a real conflict (None)."""

    def resolve(path: str) -> str | None:
        rel = path[len(prefix) :] if path.startswith(prefix) else ""
        if DERIVED.match(rel):
            return "ours"
        if META_PATH.match(rel):
            return "theirs"
        return None

    return resolve


def _settled(paths: tuple[str, ...]) -> list[str]:
    return [
        f"incident {path.split('/')[-2]} was also opened elsewhere: one incident now holds "
        "both sets of entries"
        for path in paths
        if path.endswith("/incident.toml")
    ]


def _incidents(paths: list[str], prefix: str) -> list[str]:
    start = f"{prefix}{INCIDENTS}/"
    return sorted({p[len(start) :].split("/")[0] for p in paths if p.startswith(start)})


def rebuild(journal: Journal, incidents: list[str]) -> list[str]:
    """Rebuild the derived files of `incidents` and commit them if they changed (one commit)."""
    changed: list[Path] = []
    notes = []
    for incident in sorted(set(incidents) & set(journal.incident_ids())):
        try:
            changed += commits.write_derived(journal, incident)
        except IncJournalError as exc:
            notes.append(f"{incident}: derived files not rebuilt: {exc}")
    if changed:
        rel = sorted(os.path.relpath(p, journal.root) for p in changed)
        touched = sorted({Path(p).parts[1] for p in rel})
        message = f"{REBUILT}\n\n" + "".join(f"Incident: {i}\n" for i in touched)
        author = committer(journal)
        gitlog.commit_paths(
            journal.root, journal.git_dir, rel, message, author, utcnow(), skip_if_unchanged=True
        )
    return notes


def recorded(journal: Journal, run: Callable[[], SyncReport]) -> SyncReport:
    """Run a sync and keep its outcome in `<state>/sync.status` (read by auto-sync writes)."""
    try:
        report: SyncReport = run()
    except IncJournalError as exc:
        _status(journal, f"failed {to_rfc3339(utcnow())} {exc}")
        raise
    state = f"offline {to_rfc3339(utcnow())} {report.offline}" if report.offline else "ok"
    _status(journal, state)
    return report


def _status(journal: Journal, line: str) -> None:
    atomic_write(journal.state_dir / STATUS, line.encode() + b"\n")


def background(journal: Journal, fd: int) -> None:
    """The detached process: sync while writes keep requesting it, then let go of the lock."""
    name_holder(fd, "background sync")
    held: int | None = fd
    while held is not None:
        try:
            while (journal.state_dir / REQUESTED).exists():
                (journal.state_dir / REQUESTED).unlink(missing_ok=True)
                _background_round(journal)
        finally:
            os.close(held)
        held = None
        if (journal.state_dir / REQUESTED).exists():  # requested while we let go
            held = try_lock(journal.state_dir / SYNC_LOCK, "background sync")


def _background_round(journal: Journal) -> None:
    def run() -> SyncReport:
        """A git busy for a moment (a user's `git status`, an editor's) is waited out: only a
        round that still finds it busy is a failed one, which the next write reports."""
        up = gitsync.upstream(journal.root)
        for pause in BUSY_PAUSES:
            try:
                return sync_held(journal, up, False, BACKGROUND_TIMEOUT)
            except GitBusy:
                time.sleep(pause)
        return sync_held(journal, up, False, BACKGROUND_TIMEOUT)

    try:
        report = recorded(journal, run)
    except IncJournalError as exc:
        print(f"ij sync: {exc}", file=sys.stderr)
        return
    for line in [*report.lines(), report.warning() or ""]:
        if line:
            print(line, file=sys.stderr)
