"""Writers in one clone take turns: an flock on `<git dir>/incjournal/lock`.

The kernel drops the lock when its holder dies, so a crashed writer never leaves a stale lock;
the file names the holder so that a timeout can say who is holding it.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from incjournal.core.errors import LockTimeout

DEFAULT_TIMEOUT = float(os.environ.get("INCJOURNAL_LOCK_TIMEOUT", "30"))


@contextmanager
def writer_lock(
    state_dir: Path, what: str, timeout: float = DEFAULT_TIMEOUT, name: str = "lock"
) -> Iterator[None]:
    path = state_dir / name
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        name_holder(fd, what)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def name_holder(fd: int, what: str) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}: {what}\n".encode(), 0)


def try_lock(path: Path, what: str) -> int | None:
    """The lock's file descriptor if it is free now, else None. Closing the fd releases it; a
    child process that inherits the fd holds the lock until it exits (hand-over)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    name_holder(fd, what)
    return fd


def _acquire(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = path.read_text(errors="replace").strip() or "another ij process"
                raise LockTimeout(
                    f"the journal is busy: {holder} has held {path} for over {timeout:.0f}s; "
                    "try again, or stop that process"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
