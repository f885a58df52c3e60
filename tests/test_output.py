"""Output contracts: --json where SPEC lists it, plain text when piped, NO_COLOR, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Run, ij_subprocess, pythonpath
from terminal import run_in_pty
from typer.main import get_command

from incjournal.cli import app

COMMANDS = get_command(app).commands  # type: ignore[attr-defined]
# SPEC §2: the commands that take --json (export takes --format json)
JSON_COMMANDS = ["list", "timeline", "due", "nudges", "stats", "show", "search"]
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|38|4[0-7]|48|9[0-7]|10[0-7])[;m]")


@pytest.fixture
def busy(run: Run, incident: str) -> str:
    run("hypothesis", "connection pool exhausted")
    run("decide", "Roll back", "--why", "errors began with the deploy")
    return incident


@pytest.mark.parametrize("name", JSON_COMMANDS)
def test_every_json_command_prints_json(name: str, run: Run, busy: str) -> None:
    if name not in COMMANDS:
        pytest.skip(f"`ij {name}` is not built yet")
    args = [name, "--json"] + (["pool"] if name == "search" else [])
    result = run(*args, code=None)
    assert result.exit_code in (0, 1), result.output  # 1: due/nudges found something
    data = json.loads(result.stdout)
    assert isinstance(data, dict | list)


def test_export_json_is_json(run: Run, busy: str) -> None:
    if "export" not in COMMANDS:
        pytest.skip("`ij export` is not built yet")
    assert isinstance(json.loads(run("export", "--format", "json").stdout), dict)


def test_show_and_list_json_keys_are_stable(run: Run, busy: str) -> None:
    show = json.loads(run("show", "--json").stdout)
    assert {"id", "title", "status", "severity", "roles", "impact", "milestones"} <= set(show)
    assert {"hypotheses", "questions", "risks", "actions", "decisions", "updates"} <= set(show)
    [row] = json.loads(run("list", "--json").stdout)
    assert set(row) == {"id", "title", "status", "severity", "ic", "opened_at", "age_s", "current"}


@pytest.mark.parametrize("args", [["show"], ["watch", "--once"], ["search", "pool"]])
def test_piped_output_has_no_escape_codes(args: list[str], journal_dir: Path, busy: str) -> None:
    done = ij_subprocess(journal_dir, *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() and "\x1b[" not in done.stdout


@pytest.mark.parametrize("args", [["show"], ["watch", "--once"]])
def test_no_color_is_honoured_on_a_terminal(args: list[str], journal_dir: Path, busy: str) -> None:
    coloured = run_in_pty(journal_dir, *args)
    assert coloured.code == 0 and COLOUR.search(coloured.output), "rich draws colour on a tty"
    plain = run_in_pty(journal_dir, *args, env={"NO_COLOR": "1"})
    assert plain.code == 0 and "pool" in plain.output
    assert not COLOUR.search(plain.output)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_usage_errors_exit_2_with_the_reason_on_stderr(name: str, run: Run) -> None:
    result = run(name, "--no-such-option", code=2)
    assert "No such option: --no-such-option" in result.stderr
    assert result.stdout == ""


def test_bad_input_to_the_new_commands_is_one_line_exit_2(run: Run, busy: str) -> None:
    for args, line in [
        (["watch", "-i", "nope"], "ij: error: no incident 'nope'"),
        (["search", "pool", "-i", "nope"], "ij: error: no incident 'nope'"),
        (["search", ""], "ij: error: empty query"),
    ]:
        result = run(*args, code=2)
        assert result.stderr.startswith(line) and result.stderr.count("\n") == 1, args
    assert "Invalid value for '--interval'" in run("watch", "--interval", "0", code=2).stderr


# a real process leaves without the interpreter's teardown: nothing of its answer may be lost --
def test_a_long_answer_reaches_a_pipe_whole(journal_dir: Path, busy: str) -> None:
    import subprocess
    import sys

    for number in range(150):
        ij_subprocess(journal_dir, "note", f"note number {number} " + "x" * 200)
    whole = ij_subprocess(journal_dir, "timeline", "--json")
    assert whole.returncode == 0 and whole.stderr == ""
    assert len(json.loads(whole.stdout)) > 150
    with_head = subprocess.run(  # the reader goes away after one line: a quiet end
        f"{sys.executable} -m incjournal timeline | head -n 1",
        shell=True,
        cwd=journal_dir,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": pythonpath()},
        check=False,
    )
    assert with_head.stdout.count("\n") == 1
    assert "Traceback" not in with_head.stderr


def test_a_real_process_keeps_its_exit_code_and_error_line(journal_dir: Path) -> None:
    bad = ij_subprocess(journal_dir, "note", "")  # no incident, no text: one line, exit 2
    assert bad.returncode == 2
    assert bad.stderr.startswith("ij: error:") and bad.stderr.count("\n") == 1
    assert ij_subprocess(journal_dir, "--help").returncode == 0
    assert ij_subprocess(journal_dir, "no-such-command").returncode == 2
