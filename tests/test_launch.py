"""The console script imports only the command module a command line names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ij_subprocess

from incjournal import startup as launch
from incjournal.cli import app
from incjournal.startup import command_name


def test_the_table_names_every_command_and_the_module_registering_it() -> None:
    registered = {
        command_name(info): info.callback.__module__.rsplit(".", 1)[-1]
        for info in app.registered_commands
    }
    registered.update(
        (str(group.name), _module_of(group.typer_instance.registered_commands[0].callback))
        for group in app.registered_groups
    )
    assert registered == launch.COMMANDS
    in_order = list(dict.fromkeys(registered.values()))  # as `ij --help` lists them
    assert tuple(in_order) == launch.MODULES


def _module_of(callback: object) -> str:
    return str(getattr(callback, "__module__", "")).rsplit(".", 1)[-1]


def test_a_command_line_picks_its_module_and_a_partner_for_a_lone_command() -> None:
    assert launch.modules_for(["note", "db slow"]) == ("entries",)
    assert launch.modules_for(["sync"]) == ("team", launch.PARTNER)
    assert launch.modules_for(["nudges"]) == ("nudges",)
    for everything in ([], ["--help"], ["nottacommand"], ["--install-completion"]):
        assert launch.modules_for(everything) == launch.MODULES


def test_a_partner_module_holds_two_commands() -> None:
    assert sum(1 for m in launch.COMMANDS.values() if m == launch.PARTNER) >= 2


def loaded_for(args: list[str]) -> list[str]:
    code = (
        "import sys; from incjournal import startup as launch; "
        f"launch.load_commands(launch.modules_for({args!r})); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('incjournal.cli.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_only_the_named_commands_module_is_imported() -> None:
    loaded = loaded_for(["list", "--all"])
    assert "incjournal.cli.journal" in loaded
    assert not {"incjournal.cli.entries", "incjournal.cli.briefs", "incjournal.cli.review"} & set(
        loaded
    )
    assert {f"incjournal.cli.{m}" for m in launch.MODULES} <= set(loaded_for(["--help"]))


@pytest.mark.parametrize("module", launch.MODULES)
def test_each_modules_commands_run_from_the_console_script(tmp_path: Path, module: str) -> None:
    """A real process per module: the command keeps its name (Typer saw two commands)."""
    command = next(name for name, m in launch.COMMANDS.items() if m == module)
    result = ij_subprocess(tmp_path, command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"Usage: ij {command} " in result.stdout


def test_help_lists_commands_in_the_order_a_newcomer_needs_them(tmp_path: Path) -> None:
    listing = ij_subprocess(tmp_path, "--help").stdout
    names = [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]
    order = [names.index(name) for name in ("init", "open", "note", "brief", "review", "demo")]
    assert order == sorted(order)


def test_windows_is_refused_in_one_line_with_exit_2(tmp_path: Path) -> None:
    code = "import sys; sys.platform = 'win32'; from incjournal.startup import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "note", "x"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr == "ij: error: Windows is not supported; run ij in WSL " + (
        "(Windows Subsystem for Linux)\n"
    )
    assert not (tmp_path / ".git").exists()
