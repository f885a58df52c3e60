"""Control characters made visible: the one rule for text that reaches a terminal or a commit
message (see `cli/terminal.py`)."""

from __future__ import annotations

_SHOWN = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_SHOWN[0x7F] = "\u2421"  # ␡
# C1 controls (0x9b is a one-byte CSI) and bidirectional overrides: the replacement character
_HIDDEN = (*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_SHOWN.update(dict.fromkeys(_HIDDEN, "\ufffd"))


def visible(text: str) -> str:
    """`text` with every control character but newline and tab shown as one visible character."""
    return text.translate(_SHOWN)
