"""Running `ij` the way a person does: on a real terminal (a pty), or as `ij` on PATH in a shell."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import pythonpath

ANSI = "\x1b["


@dataclass(frozen=True)
class Tty:
    code: int
    output: str  # stdout and stderr as the terminal showed them (\r\n line ends)


def ij_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test's environment plus this checkout's source on PYTHONPATH."""
    return {**os.environ, "PYTHONPATH": pythonpath(), **(extra or {})}


def run_in_pty(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (24, 80),
    timeout: float = 60,
) -> Tty:
    """`ij ARGS` with stdin, stdout and stderr on a fresh pseudo-terminal of `size` (rows, cols)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "incjournal", *args],
        cwd=cwd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=ij_env({"TERM": "xterm-256color", **(env or {})}),
        close_fds=True,
    )
    os.close(slave)
    try:
        output = _drain(master, proc, timeout)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return Tty(proc.wait(timeout), output.decode("utf-8", errors="replace"))


def _drain(master: int, proc: subprocess.Popen[bytes], timeout: float) -> bytes:
    """Everything the process writes until it closes the terminal (deadline: `timeout`)."""
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def ij_shim(bin_dir: Path) -> Path:
    """An `ij` executable in `bin_dir` that runs this checkout (for shells and completion)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "ij"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m incjournal "$@"\n')
    shim.chmod(0o755)
    return shim


def shell_env(bin_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for `bash -c` lines where `ij` means this checkout."""
    env = ij_env(extra)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env
