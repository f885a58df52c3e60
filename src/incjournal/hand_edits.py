"""Edits of the user's in an incident folder that are not committed, and what the write path
does about them.

Derived pages are built from committed entries plus ij's own (the one being written, those left
pending): an entry file edited, staged, deleted or added by hand and not committed is read as HEAD
holds it, so a committed page never shows what nobody committed. A derived file the user edited
and did not commit is kept as it is (not rebuilt) and reported, so the edit is never lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import tomli

from incjournal.core.errors import CorruptFile, GitError
from incjournal.core.model import Entry, IncidentMeta, entry_from_dict
from incjournal.git import commit as gitlog
from incjournal.store.journal import (
    ENTRIES,
    META,
    PAGE,
    STATUS,
    Journal,
    is_entry_file,
    read_entry,
)

if TYPE_CHECKING:
    from incjournal.core.fold import IncidentState

SHOWN = 3  # files named in a warning; the rest are counted


@dataclass(frozen=True)
class HandEdits:
    """Files of one incident folder that differ from HEAD and that ij did not write."""

    folder: Path
    entries: frozenset[Path] = frozenset()  # entry files and incident.toml
    derived: frozenset[Path] = frozenset()  # README.md and status/*.md

    def warnings(self, root: Path) -> list[str]:
        notes = []
        if self.entries:
            notes.append(
                f"the incident page leaves out edits not committed to {_names(self.entries, root)}:"
                " commit them with git, or undo them with `git checkout -- PATH`"
            )
        if self.derived:
            notes.append(
                f"{_names(self.derived, root)} holds edits of yours not committed: kept, not"
                " rebuilt; record what they say as entries, then `git checkout -- PATH`"
                " lets ij rebuild it"
            )
        return notes


def find(journal: Journal, incident_id: str, ours: Iterable[Path]) -> HandEdits:
    """The hand edits of the incident folder: what differs from HEAD, less `ours` (ij's own
    writes: the entry being written, paths left pending)."""
    folder = journal.incident_dir(incident_id)
    if gitlog.busy_reason(journal.git_dir) is not None:
        return HandEdits(folder)  # mid-merge or locked: the write stays pending, as it was
    try:
        found = gitlog.status(journal.root, [str(folder.relative_to(journal.root))])
        changed = {journal.root / rel: code for rel, code in found.items()}
    except GitError:  # e.g. an unreadable index: the commit says what is wrong
        return HandEdits(folder)
    entries, derived = set(), set()
    for path in changed.keys() - set(ours):
        parts = path.relative_to(folder).parts
        if parts == (META,) or (parts[0] == ENTRIES and is_entry_file(parts[-1])):
            entries.add(path)
        elif parts == (PAGE,) or (parts[0] == STATUS and parts[-1].endswith(".md")):
            derived.add(path)
    return HandEdits(folder, frozenset(entries), frozenset(derived))


def committed_state(journal: Journal, incident_id: str, edits: HandEdits) -> IncidentState:
    """The incident folded from its entry files as HEAD holds the edited ones (a file HEAD does
    not hold is left out), every other file as it is on disk."""
    from incjournal.core.fold import fold

    committed = gitlog.committed_contents(journal.root, sorted(edits.entries))
    folder = journal.entries_dir(incident_id)
    entries = [
        read_entry(folder / name)
        for name in journal.entry_names(incident_id)
        if folder / name not in edits.entries
    ]
    meta_path = journal.incident_dir(incident_id) / META
    meta_data = committed.pop(meta_path, None)
    entries += [_parse(data, path) for path, data in committed.items() if data is not None]
    meta = (
        IncidentMeta.from_dict(_toml(meta_data, meta_path))
        if meta_data is not None
        else journal.read_meta(incident_id)
    )
    return fold(meta, entries)


def _parse(data: bytes, path: Path) -> Entry:
    try:
        return entry_from_dict(_toml(data, path))
    except ValueError as exc:
        raise CorruptFile(f"{path} (as committed): {exc}") from exc


def _toml(data: bytes, path: Path) -> dict[str, object]:
    try:
        return tomli.loads(data.decode())
    except (UnicodeDecodeError, tomli.TOMLDecodeError) as exc:
        raise CorruptFile(f"{path} (as committed): not valid TOML") from exc


def _names(paths: Iterable[Path], root: Path) -> str:
    rel = sorted(str(p.relative_to(root)) for p in paths)
    more = f" and {len(rel) - SHOWN} more" if len(rel) > SHOWN else ""
    return ", ".join(rel[:SHOWN]) + more
