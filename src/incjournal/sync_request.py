"""Auto-sync: a write in a journal with `[sync] auto = true` asks for a background `ij sync`.

The request is a file (`sync.requested`); a detached `ij sync --quiet` started here, holding
`sync.lock`, runs rounds while requests keep coming (`incjournal.sync.background`). A write never
waits for the network and never fails over sync: it only says when the last round could not finish.
"""

from __future__ import annotations

import os
import subprocess
import sys

from incjournal.store.journal import Journal, atomic_write
from incjournal.store.lock import try_lock

SYNC_LOCK = "sync.lock"
REQUESTED = "sync.requested"  # a write since the last round started: sync again
STATUS = "sync.status"  # the last round's outcome: "ok <time>" / "offline <time> <why>" / ...


def after_write(journal: Journal) -> list[str]:
    """Auto-sync: start a background `ij sync` and return at once; say if sync is pending."""
    warnings = pending_warning(journal)
    try:
        atomic_write(journal.state_dir / REQUESTED, b"")
        fd = try_lock(journal.state_dir / SYNC_LOCK, "background sync")
        if fd is not None:  # else the running sync sees the request and goes round again
            try:
                _spawn(journal, fd)
            finally:
                os.close(fd)
    except OSError as exc:  # the write itself succeeded: never fail it over sync
        warnings.append(f"sync pending: background sync not started ({exc.strerror})")
    return warnings


def pending_warning(journal: Journal) -> list[str]:
    try:
        state = (journal.state_dir / STATUS).read_text().split(" ", 2)
    except FileNotFoundError:
        return []
    if state[0] == "offline" and len(state) == 3:
        return [f"sync pending: the remote was unreachable ({state[2].strip()}); retrying now"]
    if state[0] == "failed" and len(state) == 3:
        return [f"sync pending: the last sync failed: {state[2].strip()}"]
    return []


def _spawn(journal: Journal, fd: int) -> None:
    """Start `ij sync --quiet` detached (own session, no terminal), holding the lock `fd`."""
    args = [sys.executable, "-m", "incjournal", "sync", "--quiet", "--lock-fd", str(fd)]
    with open(journal.state_dir / "sync.log", "wb") as log:
        subprocess.run(
            ["sh", "-c", '"$@" &', "sh", *args],
            cwd=journal.root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            pass_fds=(fd,),
            start_new_session=True,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
            check=False,
        )
