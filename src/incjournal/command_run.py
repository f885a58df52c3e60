"""Running a command for `ij exec`: its output passed through as it arrives, a bounded tail kept.

`run_command` runs an argv (never through a shell) with stdin inherited and stdout/stderr passed
to the given streams byte for byte as they arrive, while only a bounded tail of the combined output
is kept: memory stays bounded whatever the command prints. `record_command` and
`record_attachment` redact likely secrets and write the entry through `journal.record`.

What a command entry holds:
- `exit_code`: the exit status, or MINUS the signal number when a signal killed the command (-9 for
  SIGKILL), as Python reports it. That is unambiguous where 137 is not (a process may exit 137
  itself); `ij exec` itself exits as a shell would, with 128 + N.
- a command that could not start: 127 (not found) or 126 (found but not executable), as shells
  do, with the reason in the entry's text.
- `output`: the last lines of stdout and stderr interleaved as they arrived (default 200 lines and
  64 KiB, `[exec] tail_lines` / `tail_bytes`); `output_bytes`, set only when that is a cut, is
  the full size the command printed.
- `interrupted`: ij received SIGINT, SIGQUIT, SIGHUP or SIGTERM while the command ran, or the
  command died of SIGINT. A terminal's Ctrl-C reaches the command directly (same process group);
  ij waits for it to finish and records the result. SIGTERM, sent to ij alone, is passed on.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, BinaryIO

from incjournal.core.times import utcnow
from incjournal.render.evidence import command_status

TAIL_LINES = 200
TAIL_BYTES = 64 * 1024
NOT_FOUND = 127
NOT_EXECUTABLE = 126
_CHUNK = 64 * 1024
_SHARED = (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)  # a terminal sends these to the group
_RELAYED = (signal.SIGTERM,)  # sent to ij alone: pass it on


@dataclass(frozen=True)
class TailLimits:
    lines: int = TAIL_LINES
    bytes: int = TAIL_BYTES


@dataclass(frozen=True)
class CommandRun:
    """What happened when a command ran (or could not start); secrets not yet redacted."""

    argv: tuple[str, ...]
    cwd: str
    started: datetime
    duration_s: float
    exit_code: int
    output: str = ""
    output_bytes: int = 0  # everything the command printed
    truncated: bool = False
    interrupted: bool = False
    error: str | None = None  # why it could not start

    @property
    def shell_status(self) -> int:
        """The exit status a shell would give: 128 + N for a command killed by signal N."""
        return 128 - self.exit_code if self.exit_code < 0 else self.exit_code

    @property
    def status(self) -> str:
        if self.error is not None:
            return f"not run: {self.error} (exit {self.exit_code})"
        return command_status(self.exit_code, self.interrupted)


class Tail:
    """The last `limit` bytes of a stream and its total size, in at most ~2 x `limit` memory."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.total = 0
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self._buffer += chunk[-self.limit :]
        if len(self._buffer) > 2 * self.limit:
            del self._buffer[: -self.limit]

    def text(self, max_lines: int) -> tuple[str, bool]:
        """The kept tail as text (at most `max_lines` lines), and whether anything was cut."""
        kept = bytes(self._buffer[-self.limit :])
        cut = len(kept) < self.total
        if cut and b"\n" in kept[:-1]:
            kept = kept[kept.index(b"\n") + 1 :]  # the first line is probably a fragment
        lines = _last_lines(kept, max_lines)
        return lines.decode("utf-8", errors="replace"), cut or len(lines) < len(kept)


def _last_lines(data: bytes, count: int) -> bytes:
    cut = len(data) - 1 if data.endswith(b"\n") else len(data)
    for _ in range(count):
        cut = data.rfind(b"\n", 0, cut)
        if cut < 0:
            return data
    return data[cut + 1 :]


class _Sink:
    """A stream the command's output is passed to; one that breaks (`| head`) is dropped."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream: BinaryIO | None = stream

    def write(self, chunk: bytes) -> bool:
        if self.stream is None:
            return False
        try:
            self.stream.write(chunk)
            self.stream.flush()
        except (OSError, ValueError):
            self.stream = None
            return False
        return True


class _Watch:
    """Signals ij receives while the command runs."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.interrupted = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        self.interrupted = True
        if signum in _RELAYED and self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.send_signal(signum)


@contextlib.contextmanager
def _signals_to(watch: _Watch) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, watch.handle) for sig in (*_SHARED, *_RELAYED)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_command(
    argv: Sequence[str],
    limits: TailLimits,
    out: BinaryIO,
    err: BinaryIO,
    cwd: Path | None = None,
) -> CommandRun:
    """Run `argv` with its output passed through to `out`/`err` live; what happened."""
    where = str(cwd or Path.cwd())
    started, clock = utcnow(), time.monotonic()
    watch, tail = _Watch(), Tail(limits.bytes)
    with _signals_to(watch):
        try:
            proc = subprocess.Popen(
                list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
            )
        except OSError as exc:
            return _not_started(argv, where, started, time.monotonic() - clock, exc)
        watch.proc = proc
        with proc:
            _pump(proc, {proc.stdout: _Sink(out), proc.stderr: _Sink(err)}, tail)
            code = proc.wait()
    output, truncated = tail.text(limits.lines)
    return CommandRun(
        argv=tuple(argv),
        cwd=where,
        started=started,
        duration_s=time.monotonic() - clock,
        exit_code=code,
        output=output,
        output_bytes=tail.total,
        truncated=truncated,
        interrupted=watch.interrupted or code == -signal.SIGINT,
    )


def _pump(proc: subprocess.Popen[bytes], sinks: Mapping[Any, _Sink], tail: Tail) -> None:
    """Pass output on as it comes until both pipes close, or the command has exited and what
    it wrote is read (a background child holding the pipes open does not keep ij waiting)."""
    with selectors.DefaultSelector() as selector, _exit_watch(proc) as exited:
        for pipe, sink in sinks.items():
            selector.register(pipe, selectors.EVENT_READ, sink)
        if exited is not None:
            selector.register(exited, selectors.EVENT_READ, None)
        timeout: float | None = None
        while len(selector.get_map()) > (exited is not None):
            ready = selector.select(timeout)
            if not ready:
                return
            for key, _ in ready:
                if key.data is None:
                    selector.unregister(key.fileobj)
                    exited, timeout = None, 0
                elif not _forward(key, tail):
                    selector.unregister(key.fileobj)
                    key.fileobj.close()  # type: ignore[union-attr]


def _forward(key: selectors.SelectorKey, tail: Tail) -> bool:
    """Read one chunk and pass it on; False at end of stream or when its sink broke."""
    chunk = os.read(key.fd, _CHUNK)
    if not chunk:
        return False
    tail.feed(chunk)
    return bool(key.data.write(chunk))


@contextlib.contextmanager
def _exit_watch(proc: subprocess.Popen[bytes]) -> Iterator[int | None]:
    """A descriptor that becomes readable when the command exits (Linux), else None."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        yield None
        return
    try:
        yield fd
    finally:
        os.close(fd)


def _not_started(
    argv: Sequence[str], cwd: str, started: datetime, took: float, exc: OSError
) -> CommandRun:
    if exc.errno == errno.ENOENT:
        code = NOT_FOUND
        reason = "command not found" if "/" not in argv[0] else "no such file"
        found = argv[0] if "/" in argv[0] else shutil.which(argv[0])
        if found and os.path.exists(found):
            reason = "its #! interpreter was not found"
    else:
        code = NOT_EXECUTABLE
        reason = "not executable" if exc.errno in (errno.EACCES, errno.EPERM) else str(exc.strerror)
        if exc.errno == errno.ENOEXEC:
            reason = "not a program (a script needs a #! line)"
    return CommandRun(tuple(argv), cwd, started, took, code, error=reason)
