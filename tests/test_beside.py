"""Work in a forked child beside this process: the answer is the plain call's, whatever the child
does."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from incjournal.beside import beside, can_fork

needs_fork = pytest.mark.skipif(not can_fork(), reason="no second CPU (or other threads)")


def where(tag: str) -> tuple[str, int]:
    return tag, os.getpid()


@needs_fork
def test_the_answer_comes_from_a_child() -> None:
    with beside(where, "y") as join:
        tag, pid = join()
    assert tag == "y"
    assert pid != os.getpid()


def test_without_a_fork_the_call_runs_here() -> None:
    with beside(where, "z", fork=False) as join:
        assert join() == ("z", os.getpid())


def fails_in_child(parent: int) -> str:
    if os.getpid() != parent:
        raise RuntimeError("only in the child")
    return "computed here"


def killed_in_child(parent: int) -> str:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "computed here"


@needs_fork
@pytest.mark.parametrize("func", [fails_in_child, killed_in_child])
def test_a_failing_child_means_the_parent_computes_it(func: object) -> None:
    with beside(func, os.getpid()) as join:  # type: ignore[arg-type]
        assert join() == "computed here"


def broken(text: str) -> str:
    raise ValueError(text)


@pytest.mark.parametrize("fork", [True, False])
def test_an_error_is_raised_as_by_a_plain_call(fork: bool) -> None:
    with pytest.raises(ValueError, match="bad file"), beside(broken, "bad file", fork=fork) as join:
        join()


def sleeper(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@needs_fork
def test_a_child_never_joined_is_killed_and_reaped() -> None:
    children_before = _children()
    with pytest.raises(KeyError), beside(sleeper, 60) as _join:
        raise KeyError("this process failed first")
    assert _children() == children_before  # no child left running, no zombie


def _children() -> set[str]:
    """The pids of this process's children (Linux: /proc)."""
    me = os.getpid()
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.add(pid)
    return found


@needs_fork
def test_a_large_answer_passes_whole() -> None:
    """More than a pipe's buffer: the parent reads while the child writes."""
    with beside(lambda n: [str(i) * 10 for i in range(n)], 200_000) as join:
        assert join() == [str(i) * 10 for i in range(200_000)]


def test_work_behind_is_done_when_collected(tmp_path: Path) -> None:
    from incjournal.beside import behind, wait_behind

    target = tmp_path / "written"
    behind(target.write_text, "done")
    wait_behind()
    assert target.read_text() == "done"
    if can_fork():
        behind(broken, "lost, and nobody is told")  # a failing child costs nothing
        wait_behind()


def holds_on(seconds: float) -> str:
    time.sleep(seconds)
    return "late"


@needs_fork
@pytest.mark.parametrize("how", ["beside", "behind"])
def test_a_child_keeps_no_pipe_of_the_parent_open(how: str) -> None:
    """A git process reading its input to the end must see the end when the parent closes it,
    not once a child forked meanwhile leaves: children close what they inherited."""
    read_end, write_end = os.pipe()
    try:
        with beside(holds_on, 30) if how == "beside" else _behind():
            os.close(write_end)
            ready, _, _ = select.select([read_end], [], [], 10)  # the child sleeps for 30 s
            assert ready == [read_end]
            assert os.read(read_end, 1) == b""
    finally:
        os.close(read_end)


@contextlib.contextmanager
def _behind() -> Iterator[None]:
    from incjournal import beside as beside_mod

    beside_mod.behind(holds_on, 30)
    pid = beside_mod._BEHIND[-1]
    try:
        yield
    finally:
        os.kill(pid, signal.SIGKILL)
        beside_mod.wait_behind()
