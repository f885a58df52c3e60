"""Clumsy and hostile input: one clear line, a non-zero exit, nothing written, no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from conftest import Run, ij_subprocess, set_zone, snapshot

from incjournal.core.errors import BadTime
from incjournal.core.times import parse_time


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("note", "x", "--at", "999999999d ago"), "out of range"),
        (("note", "x", "--at", "1970-01-01T00:00:00Z"), "1970-01-01, before 2000"),
        (("note", "x", "--at", "0001-01-01"), "0001-01-01, before 2000"),
        (("action", "x", "--due", "+999999999d"), "longer than a year"),
        (("snooze", "no-ic", "999999999d"), "longer than a year"),
        (("update", "exec", "all fine", "--next", "999999999d"), "longer than a year"),
        (("timeline", "--since", "999999999d ago"), "out of range"),
        (("note", "\u200b\u200c\u2060"), "empty text"),
        (("note", "x\x00y"), "NUL byte"),
    ],
)
def test_bad_input_says_so_in_one_line(
    run: Run, journal_dir: Path, incident: str, args: tuple[str, ...], said: str
) -> None:
    before = snapshot(journal_dir)
    result = run(*args, code=2)
    assert said in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(journal_dir) == before


def test_a_time_the_clocks_skip_is_refused(run: Run, journal_dir: Path) -> None:
    """Berlin went from 02:00 to 03:00 on 2026-03-29: 02:30 names no moment."""
    set_zone(journal_dir, "Europe/Berlin")
    with time_machine.travel("2026-03-29T05:00:00Z", tick=False):
        run("open", "Night shift", "--id", "night", "--at", "2026-03-29T00:30:00Z")
        before = snapshot(journal_dir)
        for typed in ("02:30", "2026-03-29T02:30"):
            result = run("note", "deploy", "--at", typed, code=2)
            assert "does not exist in Europe/Berlin" in result.stderr
        assert snapshot(journal_dir) == before
        run("note", "deploy", "--at", "2026-03-29T02:30+01:00")  # with its offset: fine


def test_parse_time_never_raises_anything_but_bad_time() -> None:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    for typed in ("99999999999d ago", "+99999999999h", "9999-12-31T23:59:59-12:00", "10000-01-01"):
        with pytest.raises(BadTime):
            parse_time(typed, UTC, now, future=typed.startswith("+"))


def test_binary_config_and_current_files(run: Run, journal_dir: Path, incident: str) -> None:
    config = journal_dir / "incjournal.toml"
    kept = config.read_bytes()
    config.write_bytes(b"\xff\xfe\x00garbage")
    result = run("show", code=2)
    assert re.search(r"incjournal.toml: not UTF-8 text", result.stderr)
    config.write_bytes(kept)
    (journal_dir / ".git" / "incjournal" / "current").write_bytes(b"\xff\xfe")
    assert "no current incident" in run("note", "x", code=2).stderr
    proc = ij_subprocess(journal_dir, "note", "x")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_text_over_the_limit_is_refused_from_stdin_and_arguments(
    run: Run, journal_dir: Path, incident: str
) -> None:
    config = journal_dir / "incjournal.toml"
    config.write_text(config.read_text() + '\n[entries]\nmax_text = "1 KiB"\n')
    before = snapshot(journal_dir)
    piped = run("note", "-", input="x" * 2048, code=2)
    assert "stdin holds more than 1,024 bytes" in piped.stderr
    typed = run("note", "y" * 2048, code=2)
    assert "the text is 2,048 bytes, over the 1,024" in typed.stderr
    assert snapshot(journal_dir) == before
    run("note", "-", input="z" * 1000)  # within the limit


def test_a_huge_stdin_is_refused_by_a_real_process(
    journal_dir: Path, run: Run, incident: str
) -> None:
    proc = ij_subprocess(journal_dir, "note", "-", input="w" * (1024 * 1024 + 10))
    assert proc.returncode == 2 and "stdin holds more than 1,048,576 bytes" in proc.stderr


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("{{ 'a' * 10**10 }}", "a value over 1,048,576 characters"),
        ("{% set n = 10 %}{{ n ** 100000 }}", "a power over 1000"),
        ("{{ 'a' * 100000000 }}", "a value over 1,048,576 characters"),
        ("{% set s = 'x' * 1000000 %}{{ s + s }}", "a value over 1,048,576 characters"),
        ("{% for i in range(99999) %}{{ 'y' * 99 }}{% endfor %}", "a brief over 1,048,576"),
        (
            "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
            "rendering took over 5 s",
        ),
    ],
)
def test_a_runaway_template_is_an_error_not_a_hang(
    run: Run, journal_dir: Path, incident: str, body: str, said: str
) -> None:
    (journal_dir / "templates").mkdir()
    (journal_dir / "templates" / "exec.md.j2").write_text(f"# x\n{body}\n")
    result = run("brief", "--for", "exec", code=2)
    assert said in result.stderr and result.stderr.startswith("ij: error: template")
    assert result.stderr.count("\n") == 1
