"""`ij watch` driven as a person would: in a real 80x24 terminal (tmux), watched with capture-pane.

A private tmux server (its own socket under tmp_path) runs a plain bash; the test types
`ij watch`, reads the screen, records an entry from "another terminal", sees it appear, presses
Ctrl-C and reads the exit code the shell prints. Waiting is polling the screen until it shows the
expected text, with a generous deadline; nothing is asserted about timing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import Run, ij_subprocess
from terminal import ij_shim, shell_env

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None,
    reason="tmux is not installed (.ci/run installs it): the live `ij watch` test needs a terminal",
)
DEADLINE = 30.0


class Tmux:
    """One private tmux server with one 80x24 window running bash."""

    def __init__(self, socket: Path, cwd: Path, env: dict[str, str]) -> None:
        self.base = ["tmux", "-S", str(socket), "-f", "/dev/null"]
        self.env = env
        self.run("new-session", "-d", "-x", "80", "-y", "24", "-s", "ij", "-c", str(cwd),
                 "bash --norc --noprofile")  # fmt: skip
        self.run("set-option", "-g", "status", "off")

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], env=self.env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def type(self, *keys: str) -> None:
        self.run("send-keys", "-t", "ij", *keys)

    def screen(self, colours: bool = False) -> str:
        return self.run("capture-pane", "-p", "-t", "ij", *(["-e"] if colours else []))

    def wait_for(self, seen: Callable[[str], bool], what: str, colours: bool = False) -> str:
        deadline = time.monotonic() + DEADLINE
        while True:
            screen = self.screen(colours)
            if seen(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"the screen never showed {what}; it shows:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], env=self.env, capture_output=True, check=False)


@pytest.fixture
def tmux(tmp_path: Path, journal_dir: Path) -> Iterator[Tmux]:
    bin_dir = tmp_path / "bin"
    ij_shim(bin_dir)
    env = shell_env(bin_dir, {"TERM": "xterm-256color"})
    env.pop("TMUX", None)
    session = Tmux(tmp_path / "tmux.sock", journal_dir, env)
    try:
        yield session
    finally:
        session.close()


def test_watch_in_a_real_terminal(tmux: Tmux, run: Run, journal_dir: Path) -> None:
    run("open", "Checkout errors in EU", "--sev", "2", "--ic", "priya", "--at", "40m ago")
    run("hypothesis", "connection pool exhausted after the deploy")
    run("update", "responders", "investigating; next update in 30m")
    tmux.type("ij watch", "Enter")

    screen = tmux.wait_for(lambda s: "Ctrl-C quits" in s, "the dashboard")
    lines = screen.splitlines()
    assert lines[0].startswith("Checkout errors in EU") and "SEV2" in lines[0]
    assert "INVESTIGATING" in lines[0]
    assert lines[1].startswith("IC priya")
    assert "HYP " in screen and "connection pool exhausted after the deploy" in screen
    assert re.search(r"responders in 29m \d\ds", screen)
    assert re.search(r"exec OVERDUE 10m \d\ds", screen)  # SEV2: every 30m, none sent in 40m
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)

    coloured = tmux.screen(colours=True)
    overdue_line = next(line for line in coloured.splitlines() if "OVERDUE" in line)
    assert re.search(r"\x1b\[[0-9;]*31m(\x1b\[[0-9;]*m)*OVERDUE", overdue_line), repr(overdue_line)

    other = ij_subprocess(
        journal_dir, "note", "cache hit ratio fell to 40% (from another terminal)"
    )
    assert other.returncode == 0, other.stderr
    tmux.wait_for(lambda s: "cache hit ratio fell to 40%" in s, "the new note")

    tmux.type("C-c")
    tmux.wait_for(lambda s: "Ctrl-C quits" not in s, "the shell again (the dashboard gone)")
    tmux.type("echo exit=$?", "Enter")
    after = tmux.wait_for(lambda s: "exit=" in s.replace("echo exit=", ""), "the exit code")
    assert "exit=0" in after.replace("echo exit=$?", "")
    assert "Traceback" not in after and "Aborted" not in after
