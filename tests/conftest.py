"""Shared fixtures: each test has its own HOME, git identity and zone; journals are real git.

The suite passes on any day in any zone; to check, run it under a faked clock and zone:

    INCJOURNAL_TEST_NOW=2027-03-14T06:30:00Z INCJOURNAL_TEST_TZ=America/New_York pytest

The whole session (and every Python subprocess it starts, through tests/clock/sitecustomize.py)
then starts at that moment with the clock ticking on, in that zone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner, Result

from incjournal.cli import app
from incjournal.startup import load_commands

load_commands()  # every command registered on `app`, as `ij --help` has them

SRC = Path(__file__).resolve().parents[1] / "src"
CLOCK = Path(__file__).resolve().parent / "clock"
AUTHOR = "Alice Example <alice@example.com>"
FAKE_NOW = os.environ.get("INCJOURNAL_TEST_NOW")  # an ISO 8601 moment, or unset: the real clock
ZONE = os.environ.get("INCJOURNAL_TEST_TZ", "UTC")


def pytest_configure(config: pytest.Config) -> None:
    if FAKE_NOW:
        start = datetime.fromisoformat(FAKE_NOW)
        os.environ["INCJOURNAL_TEST_CLOCK_OFFSET"] = str(start.timestamp() - time.time())
        time_machine.travel(start, tick=True).start()


@pytest.fixture(autouse=True)
def real_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under a faked clock, a test marked `real_clock` goes back to the real one: the cache's
    freshness rule compares the clock with the file system's times, which nothing can fake."""
    if not FAKE_NOW or request.node.get_closest_marker("real_clock") is None:
        yield
        return
    offset = float(os.environ["INCJOURNAL_TEST_CLOCK_OFFSET"])
    with time_machine.travel(time.time() - offset, tick=True):
        yield


def pythonpath() -> str:
    """PYTHONPATH for a subprocess running this checkout (with the faked clock, if any)."""
    return os.pathsep.join([str(SRC), *([str(CLOCK)] if FAKE_NOW else [])])


@pytest.fixture(autouse=True)
def isolate(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real machine: own HOME, git config, author, zone, editor."""
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Git User\n\temail = git@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    for name in (
        "INCJOURNAL_DIR",
        "INCJOURNAL_AUTHOR",
        "VISUAL",
        "EDITOR",
        "NO_COLOR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("TZ", ZONE)
    monkeypatch.setenv("INCJOURNAL_AUTHOR", AUTHOR)


@dataclass
class Run:
    """Invoke the real CLI in-process with CliRunner, in a given directory."""

    cwd: Path

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        code: int | None = 0,
        env: dict[str, str | None] | None = None,
    ) -> Result:
        old = Path.cwd()
        os.chdir(self.cwd)
        try:
            result = CliRunner().invoke(app, list(args), input=input, env=env)
        finally:
            os.chdir(old)
        if code is not None:
            assert result.exit_code == code, (
                f"ij {' '.join(args)} exited {result.exit_code}, wanted {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\nexc: {result.exception!r}"
            )
        return result


def ij_subprocess(
    cwd: Path,
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """The installed CLI as a real process (`python -m incjournal`, this checkout's source)."""
    full_env = {**os.environ, "PYTHONPATH": pythonpath(), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "incjournal", *args],
        cwd=cwd,
        input=input,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    """An initialised, empty journal (real git repository) that shows times in UTC, whatever the
    machine's zone (INCJOURNAL_TEST_TZ): code that used the machine's zone would show."""
    root = tmp_path / "journal"
    Run(tmp_path)("init", str(root), env={"TZ": "UTC"})
    return root


@pytest.fixture
def run(journal_dir: Path) -> Run:
    return Run(journal_dir)


@pytest.fixture
def incident(run: Run) -> str:
    """An open SEV2 incident, current in the journal; returns its id."""
    result = run("open", "Checkout errors in EU", "--sev", "2", "--ic", "alice", "--id", "checkout")
    return result.stdout.split(" in ")[1].split()[0]


def set_zone(journal_dir: Path, name: str) -> None:
    """Show the journal's times in zone `name`, whatever the machine's zone (committed)."""
    config = journal_dir / "incjournal.toml"
    text = config.read_text()
    zoned = re.sub(r'(?m)^timezone = ".*"$', f'timezone = "{name}"', text)
    if zoned != text:
        config.write_text(zoned)
        git(journal_dir, "commit", "--quiet", "--message", f"zone {name}", "incjournal.toml")


def entry_id(result: Result) -> str:
    """The id a write command printed ("noted <id> in <incident> ...")."""
    return result.stdout.split()[1]


def snapshot(repo: Path) -> tuple[str, str]:
    """What a failed command must leave unchanged: git status and the log."""
    return (
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        git(repo, "log", "--format=%H", "--all"),
    )


@pytest.fixture(scope="session")
def src_dir() -> Iterator[Path]:
    yield SRC
