"""Entries as internal brief templates see them: plain views, times in the journal's zone, each
built when a template first reads it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import overload

from incjournal.core.fold import Item
from incjournal.core.model import Entry, Kind
from incjournal.render.evidence import command_summary
from incjournal.render.labels import clock, headline, name_of
from incjournal.render.sent import is_rendered
from incjournal.render.text import CONTROL_KEEP_LINES, Md, Text, extra_lines


@dataclass(frozen=True)
class EntryView:
    """One entry as internal templates see it (times already in the journal's zone)."""

    id: str
    kind: str
    at: str
    text: str
    headline: str
    author: str
    owner: str | None = None
    due: str | None = None
    why: str | None = None
    tags: tuple[str, ...] = ()
    public: bool = False
    likelihood: str | None = None
    impact: str | None = None
    outcome: str = ""
    closed_text: str = ""
    command: Md | None = None
    whole: Text = Text("")  # a text of several lines, whole (a one-line view shows `headline`)


def entry_view(entry: Entry, tz: tzinfo, now: datetime, item: Item | None = None) -> EntryView:
    closed = item.closed_by if item is not None else None
    return EntryView(
        id=entry.id[:6],
        kind=str(entry.kind),
        at=clock(entry.at, tz, now),
        text=Text(entry.text),
        headline=headline(entry),
        author=name_of(entry.author),
        owner=entry.owner,
        due=clock(entry.due, tz, now) if entry.due else None,
        why=entry.why,
        tags=entry.tags,
        public=entry.public,
        likelihood=entry.likelihood,
        impact=entry.impact,
        outcome=item.outcome if item is not None else "",
        closed_text=Text(closed.text) if closed is not None else "",
        command=_command(entry) if entry.kind is Kind.COMMAND else None,
        whole=Text(entry.text.strip() if _shown_whole(entry) else ""),
    )


class Views(Sequence[EntryView]):
    """Entries as `EntryView`s, each built when a template first reads it: a long incident has
    hundreds of items and decisions, and a one-screen brief reads a handful of them."""

    def __init__(
        self,
        sources: Sequence[tuple[Entry, Item | None]],
        make: Callable[[Entry, Item | None], EntryView],
    ) -> None:
        self._sources = sources
        self._make = make
        self._built: dict[int, EntryView] = {}

    def __len__(self) -> int:
        return len(self._sources)

    @overload
    def __getitem__(self, index: int) -> EntryView: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[EntryView, ...]: ...

    def __getitem__(self, index: int | slice) -> EntryView | tuple[EntryView, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(len(self))[index])
        position = range(len(self))[index]  # a negative index counts from the end
        view = self._built.get(position)
        if view is None:
            view = self._built[position] = self._make(*self._sources[position])
        return view

    def __repr__(self) -> str:
        return f"Views({list(self)!r})"


def _shown_whole(entry: Entry) -> bool:
    """A text of several lines a Markdown brief shows whole (not an earlier rendered brief)."""
    return extra_lines(entry.text) > 0 and not (entry.kind is Kind.UPDATE and is_rendered(entry))


def _command(entry: Entry) -> Md:
    """The compact command render, indented to sit inside a list item."""
    argv = tuple(" ".join(a.split()) for a in entry.command or ())
    output = CONTROL_KEEP_LINES.sub("", (entry.output or "").replace("\t", "    "))
    text = command_summary(dataclasses.replace(entry, command=argv, output=output or None))
    first, *rest = text.split("\n")
    return Md("\n".join([first, *(f"  {line}" if line else "" for line in rest)]))
