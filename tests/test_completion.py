"""Shell completion through Typer's real protocol: `_IJ_COMPLETE=complete_bash` and COMP_WORDS.

This is what the script `ij --install-completion` installs runs on every Tab press; the last test
sources that installed script in bash and presses "Tab" by calling its completion function.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Run, entry_id, ij_subprocess
from terminal import ij_shim, shell_env


def complete(cwd: Path, line: str, shell: str = "bash") -> list[str]:
    """What the shell would offer for `line` (the last word is being completed)."""
    words = line.split(" ")
    if shell == "bash":
        env = {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        env = {"_TYPER_COMPLETE_ARGS": line}
    done = ij_subprocess(cwd, env={"_IJ_COMPLETE": f"complete_{shell}", **env})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [offer for offer in done.stdout.splitlines() if offer]


@pytest.fixture
def entries(run: Run, incident: str) -> dict[str, str]:
    ids = {
        "open_q": entry_id(run("ask", "did the deploy touch the pool?")),
        "closed_q": entry_id(run("ask", "is DNS fine?")),
        "note": entry_id(run("note", "p99 at 4s")),
    }
    run("answer", ids["closed_q"][:5], "yes")
    return ids


def test_incident_ids_complete_for_use_show_and_dash_i(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("open", "Second one", "--id", "second")
    date = incident[:10]
    assert complete(journal_dir, f"ij use {date}") == [f"{date}-second", incident]
    assert complete(journal_dir, f"ij show {date}-c") == [incident]
    assert complete(journal_dir, f"ij note -i {date}-s") == [f"{date}-second"]
    assert complete(journal_dir, f"ij timeline --incident {date}-c") == [incident]


def test_entry_ids_complete_with_only_what_the_command_can_take(
    journal_dir: Path, entries: dict[str, str]
) -> None:
    assert complete(journal_dir, "ij answer ") == [entries["open_q"]]
    amendable = complete(journal_dir, "ij amend ")
    assert set(entries.values()) <= set(amendable)
    assert complete(journal_dir, f"ij amend {entries['note'][:3]}")[0] == entries["note"]


def test_zsh_shows_each_entry_headline_as_help(journal_dir: Path, entries: dict[str, str]) -> None:
    [offer] = complete(journal_dir, f"ij answer {entries['open_q'][:2]}", shell="zsh")
    assert entries["open_q"] in offer and "question\\\\: did the deploy touch the pool?" in offer


def test_kinds_complete_for_search(journal_dir: Path) -> None:
    assert complete(journal_dir, "ij search x --kind hy") == ["hypothesis"]


def test_outside_a_journal_completion_offers_nothing_and_never_fails(tmp_path: Path) -> None:
    assert complete(tmp_path, "ij use ") == []
    assert complete(tmp_path, "ij answer ") == []


def test_install_completion_then_tab_in_bash(
    tmp_path: Path, journal_dir: Path, entries: dict[str, str]
) -> None:
    bin_dir = tmp_path / "bin"
    ij_shim(bin_dir)
    home = tmp_path / "home"
    home.mkdir()
    # the shell named, not detected: Typer's detection reads the parent process, which is this
    # test's Python whenever `bash -c` runs its one command in place (it failed 1 run in 2)
    typer_takes_a_shell_name = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    env = shell_env(bin_dir, {"HOME": str(home), "SHELL": "/bin/bash", **typer_takes_a_shell_name})
    installed = subprocess.run(
        ["bash", "-c", "ij --install-completion bash"],
        cwd=journal_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    script = home / ".bash_completions" / "ij.sh"
    assert f"source '{script}'" in (home / ".bashrc").read_text()
    tab = (
        f"source {script}; COMP_WORDS=(ij answer ''); COMP_CWORD=2; _ij_completion ij; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    pressed = subprocess.run(
        ["bash", "-c", tab], cwd=journal_dir, env=env, capture_output=True, text=True, check=False
    )
    assert pressed.stdout.split() == [entries["open_q"]], pressed.stderr
