"""The `ij` / `incjournal` console script: start-up imports only the command module it runs.

`incjournal.cli` registers the commands of every module in `MODULES` when it is imported (what
tests, `ij --help`, completion and an unknown command need). A command line whose first word names
a command imports that command's module alone, with a second one when it holds a single command
(Typer needs two to keep the command's name as a subcommand): ~20 ms less start-up for every
command. `tests/test_launch.py` checks `COMMANDS` against what the modules register.
"""

from __future__ import annotations

import os
import sys

# every command module of `incjournal.cli`, in the order their commands are listed in `ij --help`
MODULES = (
    "briefs",
    "demo",
    "entries",
    "evidence",
    "journal",
    "nudges",
    "review",
    "search",
    "team",
    "views",
    "watch",
    "streams",  # a group of commands (`ij stream ...`): Typer lists groups last
)
COMMANDS = {
    **dict.fromkeys(("brief", "update", "due"), "briefs"),
    "demo": "demo",
    **dict.fromkeys(
        (
            "note",
            "decide",
            "risk",
            "retire",
            "ask",
            "answer",
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
    **dict.fromkeys(("exec", "attach"), "evidence"),
    **dict.fromkeys(("init", "open", "list", "use", "show"), "journal"),
    **dict.fromkeys(("nudges", "snooze"), "nudges"),
    **dict.fromkeys(("handoff", "review", "stats", "export", "import"), "review"),
    "search": "search",
    "stream": "streams",
    "sync": "team",
    **dict.fromkeys(("timeline", "check"), "views"),
    "watch": "watch",
}
PARTNER = "nudges"  # loaded beside a module of one command: small, and two commands of its own

_only: tuple[str, ...] | None = None  # what `incjournal.cli` imports; None: every module


def completing() -> bool:
    """Whether this process answers the shell's tab completion (Click's `_IJ_COMPLETE`)."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def modules_for(args: list[str]) -> tuple[str, ...] | None:
    """The command modules a command line needs, or None for all of them."""
    if not args or completing():
        return None
    module = COMMANDS.get(args[0])
    if module is None:  # help, an option, a mistyped command: Typer lists or suggests them all
        return None
    single = sum(1 for m in COMMANDS.values() if m == module) == 1
    return (module, PARTNER) if single and module != PARTNER else (module,)


def command_modules() -> tuple[str, ...]:
    """What `incjournal.cli` imports now."""
    return MODULES if _only is None else tuple(m for m in MODULES if m in _only)


def main() -> None:
    global _only
    _only = modules_for(sys.argv[1:])
    from incjournal.cli import main as run

    run()
