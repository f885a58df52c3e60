"""Work done beside this process, in a forked child, when there is a second CPU to do it.

`beside` computes a value in a child while this process does something else; `behind` writes a
cache file in a child while this process answers, and `wait_behind` collects those before the
command returns.

Reads of a large journal are mostly system calls (a `stat` per file) and TOML parsing, which one
Python process does one at a time. `beside(func, *args)` forks a child that computes
`func(*args)` and sends back its pickled result through a pipe while this process does the other
half of the work; `join()` collects it. The child shares nothing afterwards: it computes on a
copy-on-write image of this process, writes its answer and leaves with `os._exit` (no atexit
handler, no flushing of this process's buffers).

Whatever goes wrong in the child (an exception, a signal, an unreadable answer) only makes
`join()` compute `func(*args)` here, so an error is raised exactly as without a child. With no
fork (another platform, one CPU, other threads running: forking a process whose other thread holds
a lock can leave the child stuck), `join()` simply computes it here. A child whose answer was never
collected (this process raised first) is killed when the `with` block ends.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Whether a forked child can run beside this process: a second CPU, and no other thread."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cpus or 1) > 1


@contextlib.contextmanager
def beside(func: Callable[..., T], *args: Any, fork: bool = True) -> Iterator[Callable[[], T]]:
    """`join`: the value of `func(*args)`, computed in a forked child meanwhile when `fork` is
    true and `can_fork()`, else here when `join` is called."""
    if not (fork and can_fork()):
        yield lambda: func(*args)
        return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        _child(read_end, write_end, func, args)
    os.close(write_end)
    collected = False

    def join() -> T:
        nonlocal collected
        with os.fdopen(read_end, "rb") as answer:
            data = answer.read()
        _, status = os.waitpid(pid, 0)
        collected = True
        if status == 0 and data:
            with contextlib.suppress(Exception):
                return _loads(data)  # type: ignore[no-any-return]
        return func(*args)  # the child failed: here, to fail (or not) as a plain call

    try:
        yield join
    finally:
        if not collected:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.close(read_end)
            os.waitpid(pid, 0)


_BEHIND: list[int] = []  # children writing behind this process, not yet waited for


def behind(func: Callable[..., object], *args: Any) -> None:
    """Run `func(*args)` in a forked child while this process goes on (a cache file written while
    the command renders its answer); `wait_behind()` collects it. Without a fork, run it now.
    Only for work whose loss costs nothing (a cache write): a failing child is not reported."""
    if not can_fork():
        func(*args)
        return
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            _close_inherited()
            func(*args)
            code = 0
        finally:
            os._exit(code)
    _BEHIND.append(pid)


def wait_behind() -> None:
    """Wait for every child `behind` started (each command does before it returns)."""
    while _BEHIND:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(_BEHIND.pop(), 0)


def _child(read_end: int, write_end: int, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
    code = 1
    try:
        _close_inherited(keep=write_end)
        data = pickle.dumps(func(*args), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        code = 0
    except BaseException:  # noqa: BLE001,S110 - any failure: the parent computes it itself
        pass
    finally:
        os._exit(code)


def _close_inherited(keep: int = -1) -> None:
    """Close what a child inherited beyond standard input and output (and its answer's pipe):
    a pipe it held open would keep a git process waiting for the end of its input, a lock file
    would stay locked until the child left."""
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024
    if keep < 0:
        os.closerange(3, limit)
    else:
        os.closerange(3, keep)
        os.closerange(keep + 1, limit)


def _loads(data: bytes) -> Any:
    with no_gc():
        return pickle.loads(data)  # noqa: S301 - from our own child


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector, which would walk the young objects of a large
    unpickling dozens of times (a third of loading 10,000 entries), and then file what was loaded
    with the old objects (freeze + unfreeze), so re-enabling it does not walk them once more."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()
