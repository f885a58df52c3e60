"""`ij search`: entries whose words match a query, case-insensitively, in the corrected view.

A query is a literal piece of text (not a pattern). Every text field of an entry is searched:
the text itself, the reason (`why`), owner, person, tags, and a command's argv and output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from incjournal.core.errors import BadValue
from incjournal.core.model import Entry, Kind
from incjournal.store.journal import Journal
from incjournal.write import load_state

Span = tuple[int, int]
_BLANKS = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


@dataclass(frozen=True)
class FieldMatch:
    name: str  # text, why, owner, person, tags, command, output
    value: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Hit:
    incident_id: str
    entry: Entry
    fields: tuple[FieldMatch, ...]

    @property
    def first(self) -> FieldMatch:
        return self.fields[0]


def search(
    journal: Journal, query: str, incident_ids: Iterable[str], kinds: Sequence[Kind] = ()
) -> list[Hit]:
    """Every matching entry of those incidents, oldest first within each incident."""
    pattern = compile_query(query)
    hits = []
    for incident_id in incident_ids:
        for entry in load_state(journal, incident_id).live_entries():
            if kinds and entry.kind not in kinds:
                continue
            fields = match_entry(entry, pattern)
            if fields:
                hits.append(Hit(incident_id, entry, fields))
    return hits


def compile_query(query: str) -> re.Pattern[str]:
    if not query.strip():
        raise BadValue("empty query: say what to look for, e.g. ij search 'pool'")
    return re.compile(re.escape(query.strip()), re.IGNORECASE)


def searchable(entry: Entry) -> list[tuple[str, str]]:
    """(field name, text) pairs of an entry, most telling first."""
    pairs = [
        ("text", entry.text),
        ("why", entry.why or ""),
        ("owner", entry.owner or ""),
        ("person", entry.person or ""),
        ("tags", " ".join(entry.tags)),
        ("command", " ".join(entry.command or ())),
        ("output", entry.output or ""),
    ]
    return [(name, value) for name, value in pairs if value]


def match_entry(entry: Entry, pattern: re.Pattern[str]) -> tuple[FieldMatch, ...]:
    found = []
    for name, value in searchable(entry):
        spans = tuple(m.span() for m in pattern.finditer(value))
        if spans:
            found.append(FieldMatch(name, value, spans))
    return tuple(found)


def snippet(match: FieldMatch, width: int = 80) -> tuple[str, tuple[Span, ...]]:
    """One line of at most `width` characters around the first hit, and the hits inside it."""
    flat = match.value.translate(_BLANKS)
    if len(flat) <= width:
        return flat, match.spans
    start = max(0, min(match.spans[0][0] - width // 4, len(flat) - width))
    lead = "…" if start > 0 else ""
    tail = "…" if start + width < len(flat) else ""
    offset = start + len(lead)
    body = flat[offset : start + width - len(tail)]
    spans = tuple(
        (max(a - offset, 0) + len(lead), min(b - offset, len(body)) + len(lead))
        for a, b in match.spans
        if b > offset and a < offset + len(body)
    )
    return lead + body + tail, spans


def marked(text: str, spans: Sequence[Span], before: str = "**", after: str = "**") -> str:
    """`text` with each hit wrapped in markers (plain output: **hit**)."""
    out, last = [], 0
    for a, b in spans:
        out += [text[last:a], before, text[a:b], after]
        last = b
    out.append(text[last:])
    return "".join(out)


def hit_json(hit: Hit) -> dict[str, Any]:
    from incjournal.core.model import entry_json

    return {
        "incident": hit.incident_id,
        "entry": entry_json(hit.entry),
        "matches": {f.name: [list(span) for span in f.spans] for f in hit.fields},
    }
