"""Recovery after a killed write or a git state that blocked commits: `ij check --repair`, and the
first step of every `ij sync`.

A write puts complete files on disk (atomic_write) before it commits, so what a crash can leave is
limited: temp files of an interrupted atomic write, complete entry files (and their incident.toml,
evidence, derived files) that were never committed, the incident.toml or evidence file of a write
killed before its entry file existed, and derived files that are stale or hold conflict markers.
`repair_held` removes the temp files and orphans, rebuilds derived files, and commits the rest in
one commit. Entries are written once: a committed entry file that changed is reported, not
committed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from incjournal import commits
from incjournal.core.config import FILENAME
from incjournal.core.errors import IncJournalError, NoAuthor
from incjournal.core.times import utcnow
from incjournal.git import commit as gitlog
from incjournal.store.journal import INCIDENTS, Journal, entry_id_of, read_entry
from incjournal.store.lock import writer_lock
from incjournal.write_checks import refuse_newer

TEMP = re.compile(r"^\..+\.tmp-(\d+)-[0-9a-z]{8}$")
DERIVED = re.compile(r"^incidents/[^/]+/(?:README\.md|status/[^/]+\.md)$")
ENTRY = re.compile(r"^incidents/[^/]+/entries/[^/]+$")
META_PATH = re.compile(r"^incidents/[^/]+/incident\.toml$")
EVIDENCE = re.compile(r"^incidents/[^/]+/evidence/([^/]+)$")
_WRITTEN_EVIDENCE = re.compile(r"^[0-9a-z]{8}-")
_NEW = ("??", "A ", "AM", "AD")
_ROOT_FILES = (FILENAME, ".gitattributes")  # written by `ij init` before its commit
_SCOPE = (INCIDENTS, *_ROOT_FILES)
WRITING = "writing"  # <state dir>/writing: a write is under way (see write_guard)


@dataclass(frozen=True)
class Repair:
    commit: str | None = None
    committed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    rebuilt: tuple[str, ...] = ()
    left: tuple[str, ...] = ()  # what repair cannot fix, one line each
    blocked: str | None = None  # why nothing could be committed now

    def lines(self) -> list[str]:
        out = [f"removed {p}" for p in self.removed]
        out += [f"rebuilt the derived files of {i}" for i in self.rebuilt]
        if self.commit and self.committed:
            out.append(f"committed {len(self.committed)} file(s) (commit {self.commit[:7]})")
        if self.blocked:
            out.append(f"cannot commit now: {self.blocked}; files stay on disk")
        return out + list(self.left)


@contextlib.contextmanager
def write_guard(journal: Journal) -> Iterator[None]:
    """Around one write, inside the writer lock: a marker file says a write is under way. Found at
    the start, it means the previous write died midway: repair what it left first, so the next
    write commits it. Left behind when the write raises, so that the next one checks too."""
    marker = journal.state_dir / WRITING
    if marker.exists():
        with contextlib.suppress(IncJournalError):
            repair_held(journal)
    else:
        marker.touch()
    yield
    marker.unlink(missing_ok=True)


def repair(journal: Journal) -> Repair:
    refuse_newer(journal)
    with writer_lock(journal.state_dir, "ij check --repair"):
        return repair_held(journal)


def repair_held(journal: Journal) -> Repair:
    """Repair the journal; the caller holds the writer lock."""
    removed = remove_temp_files(journal) + remove_stale_git_locks(journal)
    status = journal_status(journal)
    orphans = _orphans(journal, status)
    for path in orphans:
        (journal.root / path).unlink(missing_ok=True)
    _prune_empty(journal, orphans)
    candidates, left = _candidates(journal, status, set(orphans))
    rebuilt, derived, broken = _rebuild(journal, candidates)
    paths = sorted(set(candidates) | set(derived) | set(commits.pending(journal)))
    base = Repair(None, (), tuple(removed + orphans), rebuilt, tuple(left + broken))
    if not paths:
        return base
    reason = gitlog.busy_reason(journal.git_dir)
    if reason:
        return replace(base, blocked=reason)
    commit = gitlog.commit_paths(
        journal.root,
        journal.git_dir,
        paths,
        _message(journal, candidates),
        _author(journal, candidates),
        utcnow(),
        skip_if_unchanged=True,
    )
    (journal.state_dir / commits.PENDING).unlink(missing_ok=True)
    committed = tuple(p for p in paths if (journal.root / p).exists())
    return replace(base, commit=commit, committed=committed)


def remove_stale_git_locks(journal: Journal) -> list[str]:
    """git's lock files left by a killed git process (the rule: `incjournal.git.locks`)."""
    from incjournal.git.locks import stale_locks

    top, _prefix = gitlog.toplevel(journal.root)
    locks = stale_locks(journal.git_dir, top)
    for lock in locks:
        lock.unlink(missing_ok=True)
    return [str(lock) for lock in locks]


def remove_temp_files(journal: Journal) -> list[str]:
    """Temp files of atomic writes whose process is gone: in the journal's own folders and in
    the clone's state folder (pending list, caches)."""
    removed = []
    folders = [journal.root]
    for base in (journal.root / INCIDENTS, journal.state_dir):
        folders += [Path(d) for d, _subdirs, _files in os.walk(base)]
    for folder in folders:
        for name in os.listdir(folder):
            match = TEMP.match(name)
            if match and not _alive(int(match.group(1))):
                (folder / name).unlink(missing_ok=True)
                removed.append(os.path.relpath(folder / name, journal.root))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own writes hold the lock we hold: none is under way
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def journal_status(journal: Journal) -> dict[str, str]:
    """Journal paths (relative to the root) that differ from HEAD -> git status code."""
    return gitlog.status(journal.root, _SCOPE)


def _orphans(journal: Journal, status: dict[str, str]) -> list[str]:
    """incident.toml or evidence of a write killed before its entry file existed."""
    orphans = []
    for path, code in status.items():
        if code not in _NEW:
            continue
        folder = journal.root / Path(path).parent
        if META_PATH.match(path) and not _has_entries(folder):
            orphans.append(path)
            orphans += [
                p for p in status if DERIVED.match(p) and p.startswith(f"{Path(path).parent}/")
            ]
        match = EVIDENCE.match(path)
        if match and _WRITTEN_EVIDENCE.match(match.group(1)) and not _referenced(journal, path):
            orphans.append(path)
    return sorted(set(orphans))


def _has_entries(folder: Path) -> bool:
    entries = folder / "entries"
    return entries.is_dir() and any(entry_id_of(n) for n in os.listdir(entries))


def _referenced(journal: Journal, path: str) -> bool:
    parts = Path(path).parts
    incident, rel = parts[1], "/".join(parts[2:])
    try:
        return any(e.file == rel for e in journal.read_entries(incident))
    except IncJournalError:
        return True  # cannot tell: keep it


def _prune_empty(journal: Journal, removed: list[str]) -> None:
    """Remove the folders that removing orphans left empty (never `incidents/` itself)."""
    for path in removed:
        folder = journal.root / Path(path).parts[0] / Path(path).parts[1]
        for sub, _dirs, _files in sorted(os.walk(folder), reverse=True):
            with contextlib.suppress(OSError):
                os.rmdir(sub)  # only succeeds when empty


def _candidates(
    journal: Journal, status: dict[str, str], orphans: set[str]
) -> tuple[list[str], list[str]]:
    """Uncommitted journal files to commit, and lines about those left alone."""
    paths, left = [], []
    for path, code in sorted(status.items()):
        on_disk = (journal.root / path).is_file()
        if path in orphans or not on_disk:
            continue
        if DERIVED.match(path):
            paths.append(path)
        elif path in _ROOT_FILES:
            if code in _NEW:
                paths.append(path)
        elif ENTRY.match(path) or META_PATH.match(path) or EVIDENCE.match(path):
            if code not in _NEW:
                left.append(f"{path}: changed after it was committed (entries are written once)")
            elif ENTRY.match(path) and not _valid_entry(journal.root / path):
                left.append(f"{path}: not a complete entry file: left for you to look at")
            else:
                paths.append(path)
    return paths, left


def _valid_entry(path: Path) -> bool:
    if entry_id_of(path.name) is None:
        return False
    try:
        read_entry(path)
    except IncJournalError:
        return False
    return True


def _rebuild(journal: Journal, paths: list[str]) -> tuple[tuple[str, ...], list[str], list[str]]:
    """Rebuild the derived files of every incident `paths` touch."""
    incidents = sorted({_incident_of(p) for p in paths} & set(journal.incident_ids()))
    rebuilt, derived, broken = [], [], []
    for incident in incidents:
        try:
            changed = commits.write_derived(journal, incident)
        except IncJournalError as exc:
            broken.append(f"{incident}: derived files not rebuilt: {exc}")
            continue
        if changed:
            rebuilt.append(incident)
            derived += [os.path.relpath(p, journal.root) for p in changed]
    return tuple(rebuilt), derived, broken


def _incident_of(path: str) -> str:
    parts = Path(path).parts
    return parts[1] if len(parts) > 2 and parts[0] == INCIDENTS else ""


def _message(journal: Journal, paths: list[str]) -> str:
    ids = [entry_id_of(Path(p).name) for p in paths if ENTRY.match(p)]
    incidents = sorted({i for i in map(_incident_of, paths) if i})
    subject = (
        "journal: commit entries left uncommitted" if ids else "journal: rebuild derived files"
    )
    trailers = [f"Incident: {i}" for i in incidents] + [f"Entry: {i}" for i in ids if i]
    return subject + "\n\n" + "".join(f"{t}\n" for t in trailers)


def _author(journal: Journal, paths: list[str]) -> gitlog.Identity:
    """The entries' author when they share one, else whoever runs the repair."""
    authors = set()
    for path in paths:
        if ENTRY.match(path):
            try:
                authors.add(read_entry(journal.root / path).author)
            except IncJournalError:
                continue
    if len(authors) == 1:
        ident = gitlog.parse_identity(authors.pop())
        if ident is not None:
            return ident
    return committer(journal)


def committer(journal: Journal) -> gitlog.Identity:
    """Who housekeeping commits are by: the configured author, else plain "incjournal"."""
    try:
        return commits.resolve_author(journal, None)
    except NoAuthor:
        return gitlog.Identity("incjournal", "")
