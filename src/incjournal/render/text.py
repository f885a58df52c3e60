"""Making user text safe inside Markdown: it can never change the structure around it."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+!|<>~]")
_LEADING = re.compile(r"^(\s*)([-=>+]|\d+[.)])")


def backslashed(found: re.Match[str]) -> str:
    """A `re.sub` replacement: the match with a backslash before it (a function: a template
    string is expanded in Python for every call)."""
    return "\\" + found[0]


def inline(text: str) -> str:
    """One line of Markdown-escaped text (newlines become spaces)."""
    escaped = _SPECIAL.sub(backslashed, " ".join(text.split()))
    found = _LEADING.match(escaped)  # a list or heading marker: escaped after the indent
    if found is None:
        return escaped
    return f"{escaped[: found.end(1)]}\\{escaped[found.end(1) :]}"


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
