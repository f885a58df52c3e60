"""The one sanitiser between ij and a terminal.

While a command runs, stdout and stderr are `Visible` streams: every control character in what is
written, other than newline and tab, is shown as one visible character (ESC as `␛`, BEL as `␇`,
C1 controls and bidirectional overrides as `�`), so positions in a line stay where they were.
Text from a journal (notes, titles, names, command output, a remote's messages) can then never
move the cursor, clear the screen, write the clipboard (OSC 52) or hide a link (OSC 8), whether
it is printed plain or piped.

rich draws styles with escape sequences of its own, so rich consoles write to the stream underneath
(`raw_stdout`, `raw_stderr`) and are given text that went through `visible` first. Files ij writes
(pages, briefs, the review) keep their text, escaped for Markdown by `render.text`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from incjournal.core.controls import visible


class Visible:
    """A text stream that shows control characters visibly (see `visible`); anything else is the
    wrapped stream's (`buffer` too: `ij exec` passes a command's own output through it)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # Click probes with bytes: this stream takes text only
            raise TypeError("write() argument must be str")
        return self.raw.write(visible(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@contextmanager
def sanitised() -> Iterator[None]:
    """stdout and stderr as `Visible` streams for the time of a command."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Visible(out), Visible(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def raw_stdout() -> TextIO:
    """The stream under stdout, for rich (whose styles are escape sequences)."""
    return _raw(sys.stdout)


def raw_stderr() -> TextIO:
    return _raw(sys.stderr)


def _raw(stream: Any) -> TextIO:
    return stream.raw if isinstance(stream, Visible) else stream
