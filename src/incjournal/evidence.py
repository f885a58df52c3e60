"""Evidence from the terminal: a command run (see `command_run.py`) recorded, a file attached.

`command_run.run_command` runs the command; `record_command` and `record_attachment` redact likely
secrets and write the entry through `journal.record`.

An evidence entry's `file` is the stored copy (relative to the incident folder), `output_bytes`
its size, and for a text file `output` is its first lines (the preview renders show).
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from incjournal import commits
from incjournal import write as journal_mod
from incjournal.command_run import TAIL_BYTES, TAIL_LINES, CommandRun, TailLimits
from incjournal.core.config import FILENAME, Config
from incjournal.core.errors import BadValue, CorruptFile
from incjournal.core.model import Kind
from incjournal.core.times import to_rfc3339
from incjournal.render.evidence import human_size
from incjournal.store.journal import Journal, new_id

if TYPE_CHECKING:
    from incjournal.secrets import Finding

ATTACH_MAX = 5 * 1024 * 1024
PREVIEW_LINES = 40
PREVIEW_BYTES = 4 * 1024
EVIDENCE = "evidence"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Attachment:
    """A file ready to store: `data` is what will be written (redacted when it is text)."""

    name: str
    data: bytes
    is_text: bool
    findings: tuple[Finding, ...] = ()
    encoding: str = "utf-8"  # of a text file; another one is worth a warning

    @property
    def preview(self) -> str | None:
        if not self.is_text:
            return None
        head = self.data[:PREVIEW_BYTES].decode(self.encoding, errors="ignore")
        return "".join(head.splitlines(keepends=True)[:PREVIEW_LINES])

    @property
    def warning(self) -> str | None:
        """What to say of a text file that is not UTF-8: read in another encoding to check it."""
        if not self.is_text or self.encoding == "utf-8":
            return None
        return (
            f"{self.name} is not UTF-8 text: read as {_ENCODING_NAMES[self.encoding]} to check it "
            "for secrets and preview it, stored in its own encoding; if the preview looks wrong, "
            f"convert it (iconv -f ENCODING -t UTF-8 {self.name}) and attach it again"
        )


# --- settings ----------------------------------------------------------------------------------


def tail_limits(config: Config) -> TailLimits:
    """`[exec] tail_lines` and `tail_bytes` (a number of bytes or e.g. "64 KiB")."""
    section = config.section("exec")
    lines = section.get("tail_lines", TAIL_LINES)
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
        raise CorruptFile(f"{FILENAME}: [exec] tail_lines must be a whole number above 0")
    return TailLimits(lines, config.size("exec", "tail_bytes", TAIL_BYTES))


def attach_limit(config: Config) -> int:
    """`[attach] max_size`: the largest file `ij attach` stores (default 5 MiB)."""
    return config.size("attach", "max_size", ATTACH_MAX)


def secret_patterns(config: Config) -> dict[str, str]:
    """The journal's extra secret patterns, checked to compile (a bad one is a config error)."""
    from incjournal import secret_guard as guard
    from incjournal import secrets

    patterns = guard.extra_patterns(config)
    try:
        secrets.scan("", patterns)
    except ValueError as exc:
        raise CorruptFile(f"{FILENAME}: [secrets] {exc}") from None
    return patterns


# --- recording ---------------------------------------------------------------------------------


def check_ready(journal: Journal, by: str | None) -> TailLimits:
    """Everything that could refuse the entry, checked before the command runs."""
    commits.resolve_author(journal, by)
    secret_patterns(journal.config)
    return tail_limits(journal.config)


def record_command(
    journal: Journal, incident_id: str, run: CommandRun, base: journal_mod.Draft
) -> tuple[journal_mod.WriteResult, list[Finding]]:
    """Write the command entry, argv and output redacted (unless `base.allow_secret`)."""
    argv, output = list(run.argv), run.output
    findings: list[Finding] = []
    if not base.allow_secret:
        argv, output, findings = _redact_run(run, secret_patterns(journal.config))
    fields = {
        "command": tuple(argv),
        "cwd": run.cwd,
        "exit_code": run.exit_code,
        "duration_s": round(run.duration_s, 3),
        "output": output or None,
        "output_bytes": run.output_bytes if run.truncated else None,
        "interrupted": run.interrupted,
    }
    text = f"$ {shlex.join(argv)} → {run.status}"
    draft = dataclasses.replace(
        base,
        kind=Kind.COMMAND,
        text=text,
        at=to_rfc3339(run.started),
        allow_secret=True,
        fields=fields,
    )
    return journal_mod.record(journal, incident_id, draft), findings


def _redact_run(
    run: CommandRun, patterns: Mapping[str, str]
) -> tuple[list[str], str, list[Finding]]:
    from incjournal import secrets

    argv: list[str] = []
    findings: list[Finding] = []
    for arg in run.argv:
        clean, found = secrets.redact(arg, patterns)
        argv.append(clean)
        findings += found
    output, found = secrets.redact(run.output, patterns)
    return argv, output, findings + found


# --- attachments -------------------------------------------------------------------------------


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`; a clear BadValue when it is missing, unreadable or over `limit`."""
    try:
        if path.stat().st_size > limit:
            raise _too_large(path.name, path.stat().st_size, limit)
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise BadValue(f"cannot attach {str(path)!r}: no such file") from None
    except IsADirectoryError:
        raise BadValue(f"cannot attach {str(path)!r}: it is a directory; attach a file") from None
    except OSError as exc:
        raise BadValue(f"cannot attach {str(path)!r}: {exc.strerror}") from None
    if len(data) > limit:
        raise _too_large(path.name, None, limit)
    return data


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large("stdin", None, limit)
    return data


def _too_large(name: str, size: int | None, limit: int) -> BadValue:
    have = f"is {human_size(size)}" if size is not None else "is larger than that"
    return BadValue(
        f"{name} {have}: attachments are limited to {human_size(limit)} ([attach] max_size in "
        f"{FILENAME}); attach an excerpt instead"
    )


def prepare_attachment(
    name: str | None, data: bytes, config: Config, *, allow_secret: bool = False
) -> Attachment:
    """A text file (UTF-8, no NUL byte) with likely secrets redacted; anything else as is.

    `name` None (stdin) stores it as stdin.txt or stdin.bin.
    """
    decoded = _as_text(data)
    if decoded is None:
        return Attachment(safe_name(name or "stdin.bin"), data, is_text=False)
    text, encoding = decoded
    findings: list[Finding] = []
    if not allow_secret:
        from incjournal import secrets

        text, findings = secrets.redact(text, secret_patterns(config))
    stored = text.encode(encoding) if findings else data  # unchanged unless redacted
    return Attachment(safe_name(name or "stdin.txt"), stored, True, tuple(findings), encoding)


_ENCODING_NAMES = {"utf-16": "UTF-16", "latin-1": "Latin-1"}
_CONTROL = frozenset(chr(c) for c in range(32)) - set("\t\n\r\f\v\x1b")


def _as_text(data: bytes) -> tuple[str, str] | None:
    """The text of a text file and its encoding: UTF-8; UTF-16 with its byte-order mark (a
    Windows log); or, for a file of text that is neither, Latin-1 (any byte is a character
    there, so a secret in it is still found). None for anything else: stored as it is."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif b"\0" in data:
        return None
    else:
        encodings = ["utf-8", "latin-1"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return (text, encoding) if encoding == "utf-8" or _reads_as_text(text) else None
    return None


def _reads_as_text(text: str) -> bool:
    """Some text, with hardly any control characters (a binary file has one byte in eight)."""
    sample = text[:PREVIEW_BYTES]
    controls = sum(1 for c in sample if c in _CONTROL)
    return bool(sample) and controls * 100 <= len(sample)


def safe_name(name: str) -> str:
    """A file name made of letters, digits, `.`, `_` and `-` (the extension kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("-", base).replace("-.", ".").strip(".-")
    if len(cleaned) > 80:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = f"{stem[: 79 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else cleaned[:80]
    return cleaned or "attachment"


def record_attachment(
    journal: Journal, incident_id: str, attachment: Attachment, base: journal_mod.Draft
) -> journal_mod.WriteResult:
    """Store the file under `evidence/` and write the evidence entry that links it, one commit."""
    relpath = f"{EVIDENCE}/{new_id()}-{attachment.name}"
    fields = {
        "file": relpath,
        "output": attachment.preview,
        "output_bytes": len(attachment.data),
    }
    text = base.text or f"attached {attachment.name}"
    draft = dataclasses.replace(base, kind=Kind.EVIDENCE, text=text, fields=fields)
    return journal_mod.record(journal, incident_id, draft, extra={relpath: attachment.data})
