"""The `ij` / `incjournal` console script: load the command modules a command line needs, run.

`incjournal.cli` holds the app and its error handler; the commands live in one module per group
(`MODULES`) and register themselves on the app when imported. A command line whose first word
names a command imports that command's module alone, with a second one when it holds a single
command (Typer needs two to keep the command's name as a subcommand); help, completion and
anything else load them all. `tests/test_launch.py` checks `COMMANDS` against what the modules
register. Windows is refused here with one line: ij runs on Linux and macOS (and WSL).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typer.models import CommandInfo

# every command module of `incjournal.cli`, in the order `ij --help` lists their commands: the
# order a newcomer needs them (start a journal and an incident, write, tell people, look back)
MODULES = (
    "journal",
    "entries",
    "items",
    "evidence",
    "briefs",
    "nudges",
    "views",
    "search",
    "review",
    "actions",
    "team",
    "watch",
    "demo",
    "digest",
    "streams",  # a group of commands (`ij stream ...`): Typer lists groups last
)
COMMANDS = {
    **dict.fromkeys(("init", "open", "list", "use", "show"), "journal"),
    **dict.fromkeys(
        (
            "note",
            "decide",
            "risk",
            "retire",
            "ask",
            "hypothesis",
            "confirm",
            "rule-out",
            "action",
            "done",
            "status",
            "sev",
            "role",
            "mark",
            "impact",
            "amend",
            "strike",
        ),
        "entries",
    ),
    **dict.fromkeys(("answer", "assign"), "items"),
    **dict.fromkeys(("exec", "attach"), "evidence"),
    **dict.fromkeys(("brief", "update", "due"), "briefs"),
    **dict.fromkeys(("nudges", "snooze"), "nudges"),
    **dict.fromkeys(("timeline", "check"), "views"),
    "search": "search",
    **dict.fromkeys(("handoff", "review", "stats", "export", "import"), "review"),
    **dict.fromkeys(("actions", "link"), "actions"),
    "sync": "team",
    "watch": "watch",
    "demo": "demo",
    "digest": "digest",
    "stream": "streams",
}
PARTNER = "nudges"  # loaded beside a module of one command: small, and two commands of its own
UNSUPPORTED = "ij: error: Windows is not supported; run ij in WSL (Windows Subsystem for Linux)"


def completing() -> bool:
    """Whether this process answers the shell's tab completion (Click's `_IJ_COMPLETE`)."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def modules_for(args: list[str]) -> tuple[str, ...]:
    """The command modules a command line needs: every one unless it names a command."""
    module = None if completing() or not args else COMMANDS.get(args[0])
    if module is None:  # help, an option, a mistyped command: Typer lists or suggests them all
        return MODULES
    single = sum(1 for m in COMMANDS.values() if m == module) == 1
    return (module, PARTNER) if single and module != PARTNER else (module,)


def load_commands(modules: tuple[str, ...] = MODULES) -> None:
    """Register the commands of `modules` on `incjournal.cli.app`, in `MODULES` order."""
    for name in MODULES:
        if name in modules:
            importlib.import_module(f"incjournal.cli.{name}")


def main() -> None:
    if sys.platform == "win32":
        print(UNSUPPORTED, file=sys.stderr)
        raise SystemExit(2)
    args = sys.argv[1:]
    modules = modules_for(args)
    load_commands(modules)
    from incjournal.cli import app, run

    if modules != MODULES:
        keep_one_command(app.registered_commands, args[0])
    run()


def keep_one_command(commands: list[CommandInfo], name: str) -> None:
    """Typer turns every registered command into a Click command before parsing (~60 ms for 40
    commands); `ij note ...` needs one. Keep the command `name` and one other, so Typer still
    builds a group and the command keeps its name."""
    chosen = [c for c in commands if command_name(c) == name]
    if len(chosen) == 1:
        other = next(c for c in commands if c is not chosen[0])
        commands[:] = [chosen[0], other]


def command_name(info: CommandInfo) -> str:
    return str(info.name or info.callback.__name__.replace("_", "-"))  # type: ignore[union-attr]
