"""Making user text safe inside Markdown: it can never change the structure around it."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")
_LEADING = re.compile(r"^(\s*)([-=>+]|\d+[.)])")


def inline(text: str) -> str:
    """One line of Markdown-escaped text (newlines become spaces)."""
    flat = " ".join(text.split())
    escaped = _SPECIAL.sub(r"\\\1", flat)
    return _LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return inline(text) or " "


def block(text: str, indent: str = "") -> str:
    """Multi-line text kept intact as a fenced block that nothing inside can close."""
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "\n".join(indent + line for line in text.splitlines())
    return f"{indent}{fence}text\n{body}\n{indent}{fence}"


def quoted(text: str) -> str:
    """A short text inline, or a block when it spans lines."""
    return inline(text) if "\n" not in text.strip() else "\n\n" + block(text.strip()) + "\n"
