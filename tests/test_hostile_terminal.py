"""Text from a journal never reaches a terminal with control bytes: every view shows them visibly.

The incident's title, notes, a hypothesis, an author's name and a command's output carry OSC 52
(write the reader's clipboard), OSC 8 (a hidden link), CSI 2J (clear the screen), BEL, a C1 CSI
and a right-to-left override. No view may print ESC, BEL or a C1 control; commit subjects hold
none either.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import Run, entry_id, git, ij_subprocess

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[H"
HOSTILE = f"pool {OSC52} at 5/5 {OSC8} {CLEAR} \x9b31m red \u202egnp.exe"
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e")


@pytest.fixture
def hostile(run: Run, journal_dir: Path) -> str:
    run("open", f"Checkout {CLEAR}fails", "--sev", "2", "--id", "co", "--ic", f"eve{OSC52}")
    run("note", HOSTILE, "--by", f"Eve {OSC52}<eve@example.com>")
    run("hypothesis", f"the pool {OSC8}")
    run("ask", f"who {CLEAR} knows?")
    run("exec", "--", sys.executable, "-c", f"print({HOSTILE!r})")
    return "co"


VIEWS = [
    ("show",),
    ("show", "--markdown"),
    ("show", "--json"),
    ("timeline",),
    ("timeline", "--json"),
    ("list", "--all"),
    ("search", "pool"),
    ("search", "pool", "--all"),
    ("handoff",),
    ("review",),
    ("brief", "--for", "responders"),
    ("brief", "--for", "exec"),
    ("nudges",),
    ("export", "--format", "markdown"),
    ("digest",),
    ("actions", "--all"),
    ("watch", "--once"),
    ("stats",),
]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: " ".join(v))
def test_no_view_prints_a_control_byte(run: Run, hostile: str, view: tuple[str, ...]) -> None:
    result = run(*view, code=None)
    assert result.exit_code in (0, 1), result.output
    printed = result.stdout + result.stderr
    assert not [c for c in FORBIDDEN if c in printed], (view, printed[:400])


def test_the_controls_are_shown_not_dropped(run: Run, hostile: str) -> None:
    line = next(x for x in run("timeline").stdout.splitlines() if "at 5/5" in x)
    assert "␛]52;c;aGVsbG8=␇" in line and "\ufffd31m red" in line


def test_an_error_quoting_user_text_is_sanitised(run: Run, hostile: str) -> None:
    result = run("show", "-i", f"no{CLEAR}such", code=2)
    assert "no" in result.stderr and "\x1b" not in result.stderr


def test_commit_subjects_hold_no_control_character(
    run: Run, journal_dir: Path, hostile: str
) -> None:
    subjects = git(journal_dir, "log", "--format=%s")
    assert "at 5/5" in subjects
    assert not [c for c in FORBIDDEN if c in subjects]


def test_a_real_process_prints_no_escape(journal_dir: Path, run: Run, hostile: str) -> None:
    noted = entry_id(run("note", f"late {OSC52} note"))
    for view in (("timeline",), ("show",), ("search", "late")):
        proc = ij_subprocess(journal_dir, *view)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout
    assert noted[:6] in ij_subprocess(journal_dir, "timeline").stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_journal_owned_by_another_user_is_one_clear_line(
    run: Run, journal_dir: Path, incident: str
) -> None:
    for path in [journal_dir, *journal_dir.rglob("*")]:
        os.chown(path, 12345, 12345, follow_symlinks=False)
    result = run("note", "kept", "-i", incident)
    assert "dubious" not in result.stderr and result.stderr.count("\n") == 1
    assert f"git refuses {journal_dir}: it belongs to another user" in result.stderr
    assert f"safe.directory {journal_dir}" in result.stderr
