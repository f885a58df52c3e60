"""Making user text safe inside Markdown: it can never change the structure around it.

Escaping is minimal: a word that looks like code (`payments.retry_cap=1`, `deploy/api|grep`)
goes in backticks as it is; elsewhere only the characters that could start emphasis, a link, a
tag, a code span or a table cell get a backslash. Multi-line text is kept whole as a quoted or
fenced block (`text_block`), or shown as its first line and "(+N lines)" in one-line views.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CONTROL_KEEP_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPECIAL = re.compile(r"[\\`*_\[\]<|~]")
_ESCAPABLE = re.compile(r"[\\`*_\[\]<|~&]")  # a word without these is shown as it is
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LEADING = re.compile(r"^([#>+=-]|\d{1,9}[.)](?=\s|$))")
_WORD = re.compile(r"^([(\"'“‘«]*)(.*?)([.,;:!?)\"'”’»]*)$", re.S)
_CODE_LIKE = re.compile(r"\w[\\*_\[\]<|~]|[\\*_\[\]<|~]\w")
_PREFORMATTED = re.compile(r"\S {2,}\S|\t|^ {2,}\S", re.M)


class Md(str):
    """Markdown built by incjournal itself (not user text): printed as it is."""


class Text(str):
    """User text that may span lines (a note, a message): a brief shows it whole, as a block;
    any other value is printed on one line."""


def backslashed(found: re.Match[str]) -> str:
    """A `re.sub` replacement: the match with a backslash before it (a function: a template
    string is expanded in Python for every call)."""
    return "\\" + found[0]


def inline(text: str) -> str:
    """One line of Markdown (newlines become spaces) that cannot start or end a block, link,
    tag or code span."""
    flat = _CONTROL.sub("", " ".join(text.split()))
    plain = _ESCAPABLE.search(flat) is None  # most text: no word needs a backslash or backticks
    out = flat if plain else " ".join(_word(w) for w in flat.split(" "))
    return "\\" + out if _LEADING.match(out) else out


def _word(word: str) -> str:
    """A code-like word in backticks; any other with its special characters escaped."""
    found = _WORD.match(word)
    assert found is not None  # the pattern matches any string
    lead, core, trail = found.groups()
    while trail.startswith(")") and core.count("(") > core.count(")"):
        core, trail = core + ")", trail[1:]
    if "`" not in core and _CODE_LIKE.search(core):
        return f"{lead}`{core}`{trail}"
    return _ENTITY.sub("&amp;", _SPECIAL.sub(backslashed, word))


def cell(text: str) -> str:
    """Text for a Markdown table cell (a pipe is escaped even inside a code span)."""
    out = inline(text)
    return re.sub(r"(?<!\\)\|", r"\\|", out) or " "


def extra_lines(text: str) -> int:
    """How many lines the text has after its first."""
    return max(0, len(text.strip().splitlines()) - 1)


def first_line(text: str) -> str:
    """The first line and, when there are more, "(+N lines)": for one-line views."""
    lines = text.strip().splitlines()
    if len(lines) <= 1:
        return text.strip()
    more = len(lines) - 1
    return f"{lines[0].strip()} (+{more} line{'s' if more != 1 else ''})"


def block(text: str, indent: str = "") -> str:
    """Multi-line text kept intact as a fenced block that nothing inside can close."""
    text = CONTROL_KEEP_LINES.sub("", text.replace("\t", "    "))
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = "\n".join(indent + line if line else "" for line in text.splitlines())
    return f"{indent}{fence}text\n{body}\n{indent}{fence}"


def text_block(text: str, indent: str = "") -> Md:
    """Multi-line text shown whole: fenced when its layout matters (a pasted table, aligned
    output), else quoted line by line."""
    text = text.strip("\n")
    if _PREFORMATTED.search(text):
        return Md(block(text, indent))
    lines = [inline(line) for line in text.splitlines()]
    return Md("\n".join(f"{indent}> {line}" if line else f"{indent}>" for line in lines))


def quote(text: str) -> Md:
    """Text as a Markdown block quote (shown whole; fenced when its layout matters)."""
    text = text.strip("\n")
    return text_block(text) if "\n" in text else Md("> " + inline(text))


def quoted(text: str) -> str:
    """A short text inline, or a block when it spans lines."""
    return inline(text) if "\n" not in text.strip() else "\n\n" + text_block(text.strip()) + "\n"


def left_out(files: int) -> str:
    """The line a render ends with when it left out entry files that could not be read."""
    if files == 1:
        return (
            "> **Incomplete:** an entry file could not be read and is left out of this view; "
            "`ij check` names it and the problem.\n"
        )
    return (
        f"> **Incomplete:** {files} entry files could not be read and are left out of this "
        "view; `ij check` names each and its problem.\n"
    )
