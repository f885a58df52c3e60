"""A fast reader for the flat TOML that tomli-w writes for entry files; anything else: None.

Parsing 10,000 entry files with tomllib is most of a cold `ij review`. Entry files are flat
`key = value` lines of basic strings, integers, decimal floats, booleans and arrays of strings
(one item a line, as tomli-w writes them). `loads` reads exactly that subset and returns what
tomllib would; for any other input (tables, comments, datetimes, unicode escapes, other spacing,
...) it returns None and the caller uses tomllib, which also reports every error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
# in a basic string: an escape, or a character that must not appear raw
_SPECIAL = re.compile(r'\\(.?)|["\x00-\x08\x0a-\x1f\x7f]', re.DOTALL)
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}
_LITERALS: dict[str, Any] = {"true": True, "false": False, "[]": []}


class _NotSimple(Exception):
    pass


def _unescape(match: re.Match[str]) -> str:
    try:
        return _ESCAPES[match.group(1)]
    except (KeyError, TypeError):  # a raw quote or control character, or another escape
        raise _NotSimple from None


def _string(value: str) -> str:
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        raise _NotSimple
    return _SPECIAL.sub(_unescape, value[1:-1])


def _value(value: str, lines: Iterator[str]) -> Any:
    first = value[:1]
    if first == '"':
        return _string(value)
    if value in _LITERALS:
        return list(_LITERALS[value]) if value == "[]" else _LITERALS[value]
    if value == "[":
        return _items(lines)
    if _INT.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value):
        return float(value)
    raise _NotSimple


def _items(lines: Iterator[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if line == "]":
            return items
        if not line.startswith("    ") or not line.endswith(","):
            raise _NotSimple
        items.append(_string(line[4:-1]))
    raise _NotSimple


def loads(text: str) -> dict[str, Any] | None:
    """The document as tomllib would read it, or None when it is not in the simple shape."""
    out: dict[str, Any] = {}
    lines = iter(text.split("\n"))
    try:
        for line in lines:
            if not line:
                continue
            key, sep, value = line.partition(" = ")
            if not sep or key in out or not _KEY.fullmatch(key):
                return None  # (a duplicate key is an error: tomllib says so)
            out[key] = _value(value, lines)
    except _NotSimple:
        return None
    return out
