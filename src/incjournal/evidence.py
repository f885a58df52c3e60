"""Evidence from the terminal: run a command and record it, attach a file.

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

An evidence entry's `file` is the stored copy (relative to the incident folder), `output_bytes`
its size, and for a text file `output` is its first lines (the preview renders show).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import re
import selectors
import shlex
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
from typing import TYPE_CHECKING, Any, BinaryIO

from incjournal import write as journal_mod
from incjournal.core.config import FILENAME, Config
from incjournal.core.errors import BadValue, CorruptFile
from incjournal.core.model import Kind
from incjournal.core.times import to_rfc3339, utcnow
from incjournal.render.evidence import command_status, human_size
from incjournal.store.journal import Journal, new_id

if TYPE_CHECKING:
    from incjournal.secrets import Finding

TAIL_LINES = 200
TAIL_BYTES = 64 * 1024
ATTACH_MAX = 5 * 1024 * 1024
PREVIEW_LINES = 40
PREVIEW_BYTES = 4 * 1024
EVIDENCE = "evidence"
NOT_FOUND = 127
NOT_EXECUTABLE = 126
_CHUNK = 64 * 1024
_SHARED = (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)  # a terminal sends these to the group
_RELAYED = (signal.SIGTERM,)  # sent to ij alone: pass it on
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


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


@dataclass(frozen=True)
class Attachment:
    """A file ready to store: `data` is what will be written (redacted when it is text)."""

    name: str
    data: bytes
    is_text: bool
    findings: tuple[Finding, ...] = ()

    @property
    def preview(self) -> str | None:
        if not self.is_text:
            return None
        head = self.data[:PREVIEW_BYTES].decode("utf-8", errors="ignore")
        return "".join(head.splitlines(keepends=True)[:PREVIEW_LINES])


# --- settings ----------------------------------------------------------------------------------


def tail_limits(config: Config) -> TailLimits:
    """`[exec] tail_lines` and `tail_bytes` (a number of bytes or e.g. "64 KiB")."""
    section = config.section("exec")
    lines = section.get("tail_lines", TAIL_LINES)
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
        raise CorruptFile(f"{FILENAME}: [exec] tail_lines must be a whole number above 0")
    return TailLimits(lines, _size(section, "exec", "tail_bytes", TAIL_BYTES))


def attach_limit(config: Config) -> int:
    """`[attach] max_size`: the largest file `ij attach` stores (default 5 MiB)."""
    return _size(config.section("attach"), "attach", "max_size", ATTACH_MAX)


def _size(section: Mapping[str, Any], table: str, key: str, default: int) -> int:
    value = section.get(key, default)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or float(match.group(1)) <= 0:
        raise CorruptFile(
            f'{FILENAME}: [{table}] {key} must be a size like 65536, "64 KiB" or "5 MiB"'
        )
    power = " kmg".index(match.group(2).lower() or " ")
    return int(float(match.group(1)) * 1024**power)


def secret_patterns(config: Config) -> dict[str, str]:
    """The journal's extra secret patterns, checked to compile (a bad one is a config error)."""
    from incjournal import secret_guard as guard
    from incjournal import secrets

    patterns = guard.extra_patterns(config)
    try:
        secrets.scan("", patterns)
    except ValueError as exc:
        raise CorruptFile(f"{FILENAME}: [secrets] {exc}") from None
    return patterns


# --- running a command -------------------------------------------------------------------------


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


# --- recording ---------------------------------------------------------------------------------


def check_ready(journal: Journal, by: str | None) -> TailLimits:
    """Everything that could refuse the entry, checked before the command runs."""
    journal_mod.resolve_author(journal, by)
    secret_patterns(journal.config)
    return tail_limits(journal.config)


def record_command(
    journal: Journal, incident_id: str, run: CommandRun, base: journal_mod.Draft
) -> tuple[journal_mod.WriteResult, list[Finding]]:
    """Write the command entry, argv and output redacted (unless `base.allow_secret`)."""
    argv, output = list(run.argv), run.output
    findings: list[Finding] = []
    if not base.allow_secret:
        argv, output, findings = _redact_run(run, secret_patterns(journal.config))
    fields = {
        "command": tuple(argv),
        "cwd": run.cwd,
        "exit_code": run.exit_code,
        "duration_s": round(run.duration_s, 3),
        "output": output or None,
        "output_bytes": run.output_bytes if run.truncated else None,
        "interrupted": run.interrupted,
    }
    text = f"$ {shlex.join(argv)} → {run.status}"
    draft = dataclasses.replace(
        base,
        kind=Kind.COMMAND,
        text=text,
        at=to_rfc3339(run.started),
        allow_secret=True,
        fields=fields,
    )
    return journal_mod.record(journal, incident_id, draft), findings


def _redact_run(
    run: CommandRun, patterns: Mapping[str, str]
) -> tuple[list[str], str, list[Finding]]:
    from incjournal import secrets

    argv: list[str] = []
    findings: list[Finding] = []
    for arg in run.argv:
        clean, found = secrets.redact(arg, patterns)
        argv.append(clean)
        findings += found
    output, found = secrets.redact(run.output, patterns)
    return argv, output, findings + found


# --- attachments -------------------------------------------------------------------------------


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`; a clear BadValue when it is missing, unreadable or over `limit`."""
    try:
        if path.stat().st_size > limit:
            raise _too_large(path.name, path.stat().st_size, limit)
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise BadValue(f"cannot attach {str(path)!r}: no such file") from None
    except IsADirectoryError:
        raise BadValue(f"cannot attach {str(path)!r}: it is a directory; attach a file") from None
    except OSError as exc:
        raise BadValue(f"cannot attach {str(path)!r}: {exc.strerror}") from None
    if len(data) > limit:
        raise _too_large(path.name, None, limit)
    return data


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large("stdin", None, limit)
    return data


def _too_large(name: str, size: int | None, limit: int) -> BadValue:
    have = f"is {human_size(size)}" if size is not None else "is larger than that"
    return BadValue(
        f"{name} {have}: attachments are limited to {human_size(limit)} ([attach] max_size in "
        f"{FILENAME}); attach an excerpt instead"
    )


def prepare_attachment(
    name: str | None, data: bytes, config: Config, *, allow_secret: bool = False
) -> Attachment:
    """A text file (UTF-8, no NUL byte) with likely secrets redacted; anything else as is.

    `name` None (stdin) stores it as stdin.txt or stdin.bin.
    """
    text = _as_text(data)
    if text is None:
        return Attachment(safe_name(name or "stdin.bin"), data, is_text=False)
    findings: list[Finding] = []
    if not allow_secret:
        from incjournal import secrets

        text, findings = secrets.redact(text, secret_patterns(config))
    return Attachment(safe_name(name or "stdin.txt"), text.encode(), True, tuple(findings))


def _as_text(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def safe_name(name: str) -> str:
    """A file name made of letters, digits, `.`, `_` and `-` (the extension kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("-", base).replace("-.", ".").strip(".-")
    if len(cleaned) > 80:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = f"{stem[: 79 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else cleaned[:80]
    return cleaned or "attachment"


def record_attachment(
    journal: Journal, incident_id: str, attachment: Attachment, base: journal_mod.Draft
) -> journal_mod.WriteResult:
    """Store the file under `evidence/` and write the evidence entry that links it, one commit."""
    relpath = f"{EVIDENCE}/{new_id()}-{attachment.name}"
    fields = {
        "file": relpath,
        "output": attachment.preview,
        "output_bytes": len(attachment.data),
    }
    text = base.text or f"attached {attachment.name}"
    draft = dataclasses.replace(base, kind=Kind.EVIDENCE, text=text, fields=fields)
    return journal_mod.record(journal, incident_id, draft, extra={relpath: attachment.data})
