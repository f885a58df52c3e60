"""`ij watch` follows the team: a background thread fetches the remote every few seconds and
fast-forwards a clean journal, so teammates' entries appear without anyone typing `ij sync`.

It only ever fast-forwards: when this clone has work of its own (a pending entry, commits the
remote does not have), it is left for `ij sync` or auto-sync, which push it the usual way. It
never pushes, never rebuilds derived files (a fast-forward brings the pushed ones) and never waits
for a sync or a writer of this clone: it tries again next round. When the remote cannot be
reached, `status()` says since when.

Every `[watch] fetch_every` (a duration, default 15s) or `ij watch --fetch-every SECONDS`.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

from incjournal.core.errors import BadTime, BadValue, GitError, IncJournalError, LockTimeout
from incjournal.core.times import parse_duration, show, utcnow
from incjournal.git import commit as gitlog
from incjournal.git import remote as gitsync
from incjournal.git import replay as replaying
from incjournal.store.journal import Journal
from incjournal.store.lock import try_lock, writer_lock

FETCH_EVERY = 15.0  # seconds, unless `[watch] fetch_every` says otherwise
FETCH_TIMEOUT = 30.0
LOCK_WAIT = 2.0  # a writer of this clone holds the lock for a moment; else: next round


def fetch_every(journal: Journal) -> float:
    """`[watch] fetch_every` in seconds (default 15)."""
    raw = journal.config.section("watch").get("fetch_every")
    if raw is None:
        return FETCH_EVERY
    try:
        seconds = parse_duration(str(raw)).total_seconds()
    except BadTime as exc:
        raise BadValue(f"incjournal.toml [watch] fetch_every: {exc}") from None
    if seconds < 1:
        raise BadValue('incjournal.toml [watch] fetch_every: use 1s or more, e.g. "15s"')
    return seconds


def has_remote(journal: Journal) -> bool:
    try:
        gitsync.upstream(journal.root)
    except GitError:
        return False
    return True


class Follower:
    """The background fetch of `ij watch`; `lock` is held while the work tree moves."""

    def __init__(self, journal: Journal, every: float) -> None:
        self.journal = journal
        self.every = every
        self.lock = threading.Lock()
        self.offline_since: datetime | None = None
        self.why = ""
        self.problem = ""
        self.last_fetch: datetime | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ij-watch-fetch", daemon=True)

    def start(self) -> Follower:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1.0)  # a fetch under way finishes on its own

    def _run(self) -> None:
        while not self._stop.is_set():
            self.round()
            self._stop.wait(self.every)

    def round(self) -> None:
        """One fetch, and a fast-forward when the journal is clean and behind."""
        try:
            up = gitsync.upstream(self.journal.root)
            remote = self._fetch(up)
            if remote is not None:
                self.problem = fast_forward(self.journal, remote, self.lock)
        except IncJournalError as exc:
            self.problem = f"cannot follow the remote: {exc}"

    def _fetch(self, up: gitsync.Upstream) -> str | None:
        from incjournal.sync_request import SYNC_LOCK

        fd = try_lock(self.journal.state_dir / SYNC_LOCK, "ij watch: fetch")
        if fd is None:  # a sync of this clone is running: it fetches for us
            return None
        try:
            remote = gitsync.fetch(self.journal.root, up, False, min(FETCH_TIMEOUT, self.every * 2))
        except gitsync.Unreachable as exc:
            self.offline_since = self.offline_since or utcnow()
            self.why = str(exc)
            return None
        finally:
            os.close(fd)
        self.offline_since, self.why, self.last_fetch = None, "", utcnow()
        return remote

    def status(self, journal: Journal) -> str:
        """'offline since 10:42 (why)', or '' while the remote answers."""
        if self.offline_since is not None:
            since = show(self.offline_since, journal.config.tz, date=False)
            return f"offline since {since} ({self.why})"
        return self.problem


def fast_forward(journal: Journal, remote: str, lock: threading.Lock) -> str:
    """Move a clean journal that is behind `remote` up to it; '' or why it was left alone."""
    from incjournal.commits import pending

    try:
        with writer_lock(journal.state_dir, "ij watch: fast-forward", LOCK_WAIT):
            if pending(journal) or gitlog.busy_reason(journal.git_dir):
                return ""  # local work waits for `ij sync` or auto-sync
            top, _prefix = gitlog.toplevel(journal.root)
            head = gitlog.rev(top, "HEAD")
            if head == remote or replaying.merge_base(top, head, remote) != head:
                return ""  # up to date, or commits of our own: `ij sync` pushes them
            with lock:
                replaying.checkout(top, head, remote)
    except LockTimeout:
        return ""
    except GitError as exc:
        return f"cannot fast-forward: {exc}"
    return ""
