"""Compact views of command and evidence entries, for internal renders only (never public)."""

from __future__ import annotations

from incjournal.model import Entry, Kind
from incjournal.render.text import block, inline

HEAD_LINES = 3
TAIL_LINES = 5


def command_summary(entry: Entry) -> str:
    """`$ argv` → exit code, duration, and the first/last lines of output (Markdown)."""
    if entry.kind is not Kind.COMMAND:
        return inline(entry.text)
    argv = " ".join(entry.command or ())
    status = "interrupted" if entry.interrupted else f"exit {entry.exit_code}"
    took = f", {entry.duration_s:.1f}s" if entry.duration_s is not None else ""
    head = f"`$ {argv.replace('`', "'")}` → {status}{took}"
    lines = (entry.output or "").rstrip("\n").splitlines()
    if not lines:
        return head
    if len(lines) > HEAD_LINES + TAIL_LINES:
        shown = [
            *lines[:HEAD_LINES],
            f"… {len(lines) - HEAD_LINES - TAIL_LINES} lines …",
            *lines[-TAIL_LINES:],
        ]
    else:
        shown = lines
    return head + "\n\n" + block("\n".join(shown))
