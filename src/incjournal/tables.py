"""Tables as text: aligned columns for a terminal, and CSV for spreadsheets (`--format csv` of
timeline, stats and actions: one header row, then data rows, RFC 4180 quoting, `\\n` line ends).

A cell that a spreadsheet would run as a formula (starting with = + - @ or a tab) gets a leading
apostrophe, the usual guard against formula injection; plain numbers are left alone."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_FORMULA = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe_cell(value: str) -> str:
    """The cell as a spreadsheet shows it, never as a formula it would run."""
    if _FORMULA.match(value) and not _NUMBER.match(value):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def aligned(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns padded to their widest cell, two spaces apart; control characters dropped (user
    text never reaches a terminal with them)."""
    table = [list(headers), *([_CONTROL.sub("", cell) for cell in row] for row in rows)]
    widths = [max(len(row[c]) for row in table) for c in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines)
