"""An incident's items (questions, hypotheses, risks, actions): how each ended, every answer a
question got, and the owner and due time assignments gave it. Built by the fold."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from incjournal.core.model import Entry


@dataclass(frozen=True)
class Item:
    """A question, hypothesis, risk or action, and the entry that closed it, if any.

    `entry` carries the item's current owner and due time (`ij assign` changes them; the
    assignments themselves are kept in `assignments`); `later` holds the answers that came after
    the first one (a question can be answered more than once)."""

    entry: Entry
    closed_by: Entry | None = None
    later: tuple[Entry, ...] = ()
    assignments: tuple[Entry, ...] = ()

    @property
    def answers(self) -> tuple[Entry, ...]:
        """Every closing entry, first one first (a question's answers)."""
        return (self.closed_by, *self.later) if self.closed_by is not None else ()

    @property
    def is_open(self) -> bool:
        return self.closed_by is None

    @property
    def outcome(self) -> str:
        """'open', or the kind of the closing entry: answer, retire, confirm, rule-out, done."""
        return "open" if self.closed_by is None else str(self.closed_by.kind)

    @property
    def owner(self) -> str | None:
        return self.entry.owner


def swapped(item: Item, ref: str, new: Entry, swap: Callable[[Entry], Entry]) -> Item:
    """`item` with the amended entry `new` in place of the one it replaces (an item's own entry
    keeps the owner and due time assignments gave it)."""
    entry = item.entry
    if entry.id == ref:
        entry = dataclasses.replace(new, owner=entry.owner, due=entry.due)
    closer = swap(item.closed_by) if item.closed_by is not None else None
    return Item(entry, closer, tuple(map(swap, item.later)), tuple(map(swap, item.assignments)))
