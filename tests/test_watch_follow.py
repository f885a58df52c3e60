"""`ij watch` follows the team: a background fetch that only ever fast-forwards a clean journal,
never pushes, and says "offline since HH:MM" when the remote is unreachable.

The rounds are driven directly against real clones of a real bare remote; the last test runs
`ij watch` in a real terminal (tmux) and sees a teammate's push appear with no keystroke.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from conftest import Run, git, ij_subprocess
from teamkit import bare_remote, clone, first_clone
from terminal import ij_shim, shell_env
from test_watch_tmux import Tmux

from incjournal.core.errors import BadValue
from incjournal.follow import Follower, fetch_every
from incjournal.store.journal import Journal


@pytest.fixture
def team(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A bare remote, alice's clone with the incident and bob's clone of it."""
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote)
    Run(alice)("open", "Replica lag", "--sev", "2", "--ic", "alice", "--id", "lag")
    Run(alice)("sync")
    bob = clone(tmp_path, remote, "bob")
    Run(bob)("use", "lag")
    return remote, alice, bob


def _bob_pushes(bob: Path, text: str) -> None:
    Run(bob)("note", text, "--by", "Bob <bob@example.com>")
    Run(bob)("sync")


def _follower(root: Path) -> Follower:
    return Follower(Journal.find(root), every=1.0)


def test_a_clean_journal_is_fast_forwarded(team: tuple[Path, Path, Path]) -> None:
    remote, alice, bob = team
    _bob_pushes(bob, "replica 2 caught up")
    follower = _follower(alice)
    follower.round()
    assert "replica 2 caught up" in Run(alice)("timeline").stdout
    assert git(alice, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")
    assert git(alice, "status", "--porcelain") == ""
    assert follower.status(Journal.find(alice)) == ""


def test_local_work_is_left_alone_and_never_pushed(team: tuple[Path, Path, Path]) -> None:
    remote, alice, bob = team
    Run(alice)("note", "alice's own note, not synced yet")
    mine = git(alice, "rev-parse", "HEAD")
    _bob_pushes(bob, "bob's note")
    pushed = git(remote, "rev-parse", "main")
    _follower(alice).round()
    assert git(alice, "rev-parse", "HEAD") == mine  # not moved: `ij sync` will replay it
    assert git(remote, "rev-parse", "main") == pushed  # and nothing was pushed
    assert "alice's own note" not in git(remote, "log", "--format=%s", "main")


def test_a_pending_entry_is_left_alone(team: tuple[Path, Path, Path]) -> None:
    _remote, alice, bob = team
    _bob_pushes(bob, "bob's note")
    before = git(alice, "rev-parse", "HEAD")
    state = Journal.find(alice).state_dir
    (state / "pending").write_text("incidents/x/entries/y.toml\n")
    _follower(alice).round()
    assert git(alice, "rev-parse", "HEAD") == before


def test_offline_since_and_back(team: tuple[Path, Path, Path], tmp_path: Path) -> None:
    remote, alice, bob = team
    follower = _follower(alice)
    moved = tmp_path / "elsewhere.git"
    remote.rename(moved)
    follower.round()
    status = follower.status(Journal.find(alice))
    assert re.match(r"offline since \d\d:\d\d \(", status), status
    moved.rename(remote)
    _bob_pushes(bob, "back online")
    follower.round()
    assert follower.status(Journal.find(alice)) == ""
    assert "back online" in Run(alice)("timeline").stdout


def test_the_fetch_interval_is_configurable(team: tuple[Path, Path, Path]) -> None:
    _remote, alice, _bob = team
    config = alice / "incjournal.toml"
    assert fetch_every(Journal.find(alice)) == 15.0
    config.write_text(config.read_text() + '\n[watch]\nfetch_every = "5s"\n')
    assert fetch_every(Journal.find(alice)) == 5.0
    config.write_text(config.read_text().replace('"5s"', '"soon"'))
    with pytest.raises(BadValue, match=r"^incjournal.toml \[watch\] fetch_every: "):
        fetch_every(Journal.find(alice))
    bad = Run(alice)("watch", "--fetch-every", "0.5", code=2)
    assert "--fetch-every" in bad.stderr


def test_the_thread_stops_promptly(team: tuple[Path, Path, Path]) -> None:
    _remote, alice, _bob = team
    follower = _follower(alice).start()
    follower.stop()
    assert not any(t.name == "ij-watch-fetch" and t.is_alive() for t in threading.enumerate())


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run does)")
def test_watch_shows_a_teammates_push_with_no_keystroke(
    team: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    remote, alice, bob = team
    bin_dir = tmp_path / "bin"
    ij_shim(bin_dir)
    env = shell_env(bin_dir, {"TERM": "xterm-256color"})
    env.pop("TMUX", None)
    tmux = Tmux(tmp_path / "tmux.sock", alice, env)
    try:
        tmux.type("ij watch --fetch-every 2", "Enter")
        tmux.wait_for(lambda s: "Ctrl-C quits" in s, "the dashboard")
        pushed = ij_subprocess(bob, "note", "failover finished (pushed by bob)")
        assert pushed.returncode == 0, pushed.stderr
        synced = ij_subprocess(bob, "sync")
        assert synced.returncode == 0, synced.stderr
        tmux.wait_for(lambda s: "failover finished (pushed by bob)" in s, "bob's note")
        remote.rename(tmp_path / "gone.git")
        tmux.wait_for(lambda s: "offline since" in s, "the offline notice")
        tmux.type("C-c")
        tmux.wait_for(lambda s: "Ctrl-C quits" not in s, "the shell again")
    finally:
        tmux.close()
