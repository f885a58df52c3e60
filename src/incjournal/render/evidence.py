"""Compact views of command and evidence entries, for internal renders only (never public)."""

from __future__ import annotations

import re
import signal

from incjournal.core.model import Entry, Kind
from incjournal.render.text import block, inline

HEAD_LINES = 3
TAIL_LINES = 5
ARGV_CHARS = 200  # a longer command line is cut in summaries (the entry keeps it whole)
PREVIEW_LINES = 40  # a text attachment shown inline: at most this many lines
_LINKABLE = re.compile(r"evidence/[A-Za-z0-9][A-Za-z0-9._-]*")
_STORED_ID = re.compile(r"^[0-9a-z]{8}-(?=.)")  # evidence/<id>-<name>


def command_summary(entry: Entry) -> str:
    """`$ argv` → exit code, duration, and the first/last lines of output (Markdown)."""
    if entry.kind is not Kind.COMMAND:
        return inline(entry.text)
    argv = " ".join(entry.command or ())
    status = command_status(entry.exit_code, entry.interrupted)
    took = f", {entry.duration_s:.1f}s" if entry.duration_s is not None else ""
    size = f", printed {human_size(entry.output_bytes)}" if entry.output_bytes else ""
    shown_argv = " ".join(argv.replace("`", "'").split())  # one line, no code-span breaker
    if len(shown_argv) > ARGV_CHARS:
        shown_argv = shown_argv[: ARGV_CHARS - 1] + "…"
    head = f"`$ {shown_argv}` → {status}{took}{size}"
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


def evidence_summary(entry: Entry, link_prefix: str = "") -> str:
    """A link to the attached file with its size; a text file's first lines as a fenced block.

    Links are relative to the incident folder (README.md, review.md); a render in a subfolder
    passes `link_prefix="../"`.
    """
    if entry.kind is not Kind.EVIDENCE or not entry.file:
        return inline(entry.text)
    name = _STORED_ID.sub("", entry.file.rsplit("/", 1)[-1])
    kind = "text" if entry.output is not None else "binary"
    size = f" ({human_size(entry.output_bytes)}, {kind})" if entry.output_bytes is not None else ""
    link = f"[{inline(name)}]({link_prefix}{entry.file})" if _LINKABLE.fullmatch(entry.file) else ""
    head = f"{link or inline(entry.file)}{size}"
    if entry.text:
        head += f" — {inline(entry.text)}"
    if not entry.output:
        return head
    lines = entry.output.rstrip("\n").splitlines()
    rest = ""
    if len(lines) > PREVIEW_LINES:
        rest = f"\n\n… {len(lines) - PREVIEW_LINES} more lines in the file"
    elif (entry.output_bytes or 0) > len(entry.output.encode()):
        rest = "\n\n… the rest is in the file"
    return head + "\n\n" + block("\n".join(lines[:PREVIEW_LINES])) + rest


def command_status(exit_code: int | None, interrupted: bool = False) -> str:
    """'exit 0', 'exit 127', 'killed by SIGKILL', 'interrupted (killed by SIGINT)'."""
    if exit_code is None:
        status = "exit unknown"
    elif exit_code < 0:
        status = f"killed by {signal_name(-exit_code)}"
    else:
        status = f"exit {exit_code}"
    return f"interrupted ({status})" if interrupted else status


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def human_size(size: int | None) -> str:
    """'812 B', '64.0 KiB', '10.0 MiB'."""
    if size is None:
        return "—"
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"
