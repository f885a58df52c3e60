"""TEXT from $VISUAL / $EDITOR with a commented template, as `git commit` does."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from incjournal.errors import BadValue

TEMPLATE = (
    "\n# Write the {what} above. Lines starting with '#' are ignored;\n"
    "# an empty {what} aborts and records nothing.\n"
)


def edit_text(what: str) -> str:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="ij-") as tmp:
        path = Path(tmp) / "ENTRY.md"
        path.write_text(TEMPLATE.format(what=what))
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except FileNotFoundError as exc:
            raise BadValue(f"cannot start editor {editor!r}: set $EDITOR, or give TEXT") from exc
        if done.returncode != 0:
            raise BadValue(f"editor {editor!r} exited with {done.returncode}: nothing recorded")
        text = "\n".join(
            line for line in path.read_text().splitlines() if not line.startswith("#")
        ).strip()
    if not text:
        raise BadValue(f"empty {what}: nothing recorded")
    return text
