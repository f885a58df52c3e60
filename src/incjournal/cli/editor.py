"""TEXT from $VISUAL / $EDITOR with a commented template, as `git commit` does.

The editor is found like git finds it: $VISUAL (unless the terminal is dumb), then $EDITOR, then
`vi`. It runs on a temporary file; lines starting with '#' are dropped, and an empty result aborts
with nothing recorded.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from incjournal.core.errors import BadValue

TEMPLATE = (
    "\n"
    "# Write the {what} above. Lines starting with '#' are ignored;\n"
    "# an empty {what} aborts and records nothing.\n"
)


def find_editor() -> str:
    """The editor command line, as git chooses it."""
    dumb = os.environ.get("TERM", "") == "dumb"
    visual = "" if dumb else os.environ.get("VISUAL", "")
    chosen = visual or os.environ.get("EDITOR", "")
    if chosen.strip():
        return chosen
    if dumb:
        raise BadValue("no editor on a dumb terminal: set $EDITOR, or give TEXT (or '-' for stdin)")
    return "vi"


def template(what: str, about: Sequence[str] = ()) -> str:
    """The text the editor starts with; `about` lines say where it goes (incident, command)."""
    context = "".join(f"# {line}\n" for line in about)
    return TEMPLATE.format(what=what) + ("#\n" + context if context else "")


def strip_comments(text: str) -> str:
    """Drop '#' lines and the blank lines around the text; keep the inside exactly."""
    kept = [line.rstrip() for line in text.splitlines() if not line.startswith("#")]
    return "\n".join(kept).strip("\n")


def edit_text(what: str, about: Sequence[str] = ()) -> str:
    """Open the editor on a template and return what the user wrote (BadValue when empty)."""
    editor = find_editor()
    with tempfile.TemporaryDirectory(prefix="ij-") as tmp:
        path = Path(tmp) / f"IJ_{what.upper().replace(' ', '_')}_EDITMSG"
        path.write_text(template(what, about), encoding="utf-8")
        _run(editor, path)
        try:
            text = strip_comments(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise BadValue(f"cannot read what the editor saved ({exc}): nothing recorded") from exc
    if not text.strip():
        raise BadValue(f"aborting: the {what} is empty, nothing recorded")
    return text


def _run(editor: str, path: Path) -> None:
    try:
        argv = [*shlex.split(editor), str(path)]
    except ValueError as exc:
        raise BadValue(f"cannot read $EDITOR {editor!r} ({exc}): fix it, or give TEXT") from exc
    try:
        done = subprocess.run(argv, check=False)
    except OSError as exc:
        raise BadValue(f"cannot start editor {editor!r}: set $EDITOR, or give TEXT") from exc
    if done.returncode != 0:
        raise BadValue(f"editor {editor!r} exited with {done.returncode}: nothing recorded")
