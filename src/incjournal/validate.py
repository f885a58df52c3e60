"""`ij check`: validate every file of the journal and list what git has not committed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incjournal.core import config as config_mod
from incjournal.core.errors import CorruptFile, IncJournalError
from incjournal.core.fold import fold
from incjournal.core.model import FORMAT, Entry, Kind, newer_format
from incjournal.store.journal import (
    ENTRIES,
    INCIDENTS,
    META,
    Journal,
    entry_id_of,
    located,
    read_entry,
)

NEEDS_REF = frozenset(
    {Kind.ANSWER, Kind.RETIRE, Kind.CONFIRM, Kind.RULE_OUT, Kind.DONE, Kind.AMEND, Kind.STRIKE}
)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def check(journal: Journal) -> list[Problem]:
    problems: list[Problem] = []
    try:
        config = config_mod.load(journal.root)
    except CorruptFile as exc:
        problems.append(_problem(journal, journal.root / config_mod.FILENAME, exc))
    else:
        problems += _newer(config_mod.FILENAME, config.raw.get("format"), config_mod.FORMAT)
    base = journal.root / INCIDENTS
    for folder in sorted(base.iterdir()) if base.is_dir() else []:
        if folder.is_dir():
            problems += _check_incident(journal, folder)
    problems += _uncommitted(journal)
    return problems


def _problem(journal: Journal, path: Path, exc: Exception) -> Problem:
    """The problem at the line it is on (the line TOML names, or the key's)."""
    where, line, what = located(str(exc), str(path)).split(":", 2)
    return Problem(str(Path(where).relative_to(journal.root)), int(line), what.strip())


def _check_incident(journal: Journal, folder: Path) -> list[Problem]:
    problems: list[Problem] = []
    try:
        meta = journal.read_meta(folder.name)
    except IncJournalError as exc:
        return [_problem(journal, folder / META, exc)]
    problems += _newer(str((folder / META).relative_to(journal.root)), meta.format, FORMAT)
    entries: list[Entry] = []
    entries_dir = folder / ENTRIES
    where: dict[str, str] = {}  # entry id -> the file it was first read from
    for path in sorted(entries_dir.iterdir()) if entries_dir.is_dir() else []:
        rel = str(path.relative_to(journal.root))
        if ".tmp-" in path.name:
            problems.append(Problem(rel, 1, "leftover temp file of an interrupted write"))
            continue
        if entry_id_of(path.name) is None:
            problems.append(Problem(rel, 1, "not an entry file name (<UTC stamp>-<id>.toml)"))
            continue
        try:
            entry = read_entry(path)
        except IncJournalError as exc:
            problems.append(_problem(journal, path, exc))
            continue
        if entry.id in where:
            problems.append(Problem(rel, 1, f"entry id {entry.id} is also in {where[entry.id]}"))
            continue
        where[entry.id] = rel
        entries.append(entry)
        problems += _newer(rel, entry.extra.get("format"), FORMAT)
    problems += _check_refs(journal, folder, entries)
    fold(meta, entries)  # the fold must accept whatever the files hold
    return problems


def _newer(rel: str, written_in: object, known: int) -> list[Problem]:
    """A file a newer incjournal wrote: read where possible, and worth an upgrade."""
    if isinstance(written_in, int) and not isinstance(written_in, bool) and written_in > known:
        return [Problem(rel, 1, newer_format(written_in))]
    return []


def _check_refs(journal: Journal, folder: Path, entries: list[Entry]) -> list[Problem]:
    ids = {e.id for e in entries}
    out = []
    for entry in entries:
        if entry.kind in NEEDS_REF and entry.ref not in ids:
            path = journal.entry_path(folder.name, entry)
            missing = CorruptFile(f"{path}: 'ref' names {entry.ref}, which is in no entry file")
            out.append(_problem(journal, path, missing))
    return out


def _uncommitted(journal: Journal) -> list[Problem]:
    from incjournal.repair import journal_status

    return [
        Problem(path, 1, _UNCOMMITTED if code in ("??", "A ", "AM") else _CHANGED)
        for path, code in sorted(journal_status(journal).items())
        if "/entries/" in path and path.endswith(".toml") and not code.startswith("D")
    ]


_UNCOMMITTED = "entry not committed yet (`ij sync` commits it)"
_CHANGED = (
    "changed since it was committed (an entry is never rewritten: `ij amend` corrects it; "
    "`git checkout -- PATH` undoes the edit)"
)
