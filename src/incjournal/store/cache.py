"""The one cache: per clone, outside the committed tree, safe to delete, never stale.

Everything lives in `<git dir>/incjournal/cache/` (never committed, never synced); deleting it only
costs one slower command. One freshness rule for every record: it is used only while each file it
was made from has the stamp it had (size, mtime, ctime, inode) and that stamp was not too recent
to trust when taken; a file that differs or was too recent is read again (and, where the record
kept its entry, compared). Records: `state/<incident>.pickle` (every entry parsed and the fold;
readers, `load_state`), `head/<incident>.pickle` (the write path's small fold: open items and the
last entries, so an append parses none of the history), `renders/` (`store.renders`) and
`summaries.pickle` (`store.summaries`). Every key carries a digest of ij's own files.

"Too recent to trust" is git's racy-clean rule: a stamp within `RACY_NS` (2 s) of the moment it was
taken may be shared by a later change on a file system with coarse timestamps; a stamp with a
sub-second part comes from one that keeps fine times (ext4, xfs, btrfs, tmpfs, APFS: a clock tick),
for which `FINE_RACY_NS` (100 ms) is the window. A cache file that cannot be read, is of another
version or is corrupt is ignored and rebuilt (temp file + rename). Entries are kept in their lean
form (only the fields their file gives, `model._build`), so 10,000 of them load quickly.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from incjournal.core.errors import CorruptFile
from incjournal.core.fold import Folder, IncidentState, fold_folder
from incjournal.core.model import Entry, Kind
from incjournal.store.journal import (
    META,
    STATUS,
    Journal,
    atomic_write,
    is_entry_file,
    read_entries,
    read_entry,
)

VERSION = 2
RACY_NS = 2_000_000_000  # stamps this close to the moment they were taken are re-checked ...
FINE_RACY_NS = 100_000_000  # ... or this close, on a file system that keeps sub-second times
KEEP = 100  # entries the write-path head keeps (the page shows the last 10 live ones)
KEEP_CHANGES = 20  # decisions, status, severity and role changes it keeps (the page shows 5)
MIN_LIVE = 20  # a head whose kept entries hold fewer live ones is not used for the page
DIR = "cache"

Sig = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
T = TypeVar("T")


def _sig(st: os.stat_result) -> Sig:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def stamp(path: str | Path) -> Sig | None:
    try:
        return _sig(os.stat(path))
    except FileNotFoundError:
        return None


def too_recent(sig: Sig | None, taken_ns: int) -> bool:
    if sig is None:
        return True
    latest = max(sig[1], sig[2])
    fine = latest % 1_000_000_000 != 0  # a whole second: the file system may keep no less
    return latest >= taken_ns - (FINE_RACY_NS if fine else RACY_NS)


def cache_dir(journal: Journal) -> Path:
    return journal.state_dir / DIR


def cache_key(name: str) -> str:
    return f"{name}@{code_key()}"


@functools.cache
def code_key() -> str:
    """A digest of every file of ij's package (names, sizes, modification times): nothing
    stored by one version of the code is served by another."""
    digest = 0
    for folder, _dirs, names in os.walk(Path(__file__).parent.parent):
        for name in sorted(names):
            if not name.endswith((".pyc", ".pyo")):
                st = os.stat(os.path.join(folder, name))
                digest = zlib.crc32(
                    f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns};".encode(), digest
                )
    return f"{digest:08x}"


# reading and writing cache files ----------------------------------------------------------------
def read_cache(path: Path, kind: type[T], key: str) -> T | None:
    """The cached object, or None when missing, unreadable, corrupt, of another version or key."""
    try:
        data = pickle.loads(path.read_bytes())  # noqa: S301 - our own file, never committed
    except Exception:  # a truncated or foreign file is only a cache miss
        return None
    if not isinstance(data, kind) or getattr(data, "version", None) != VERSION:
        return None
    return data if getattr(data, "key", None) == cache_key(key) else None


def _dumps(data: object) -> bytes:
    """Pickled by pickle's C code alone: entries read from files hold only their non-default
    fields (`model._build`), so they pickle lean with no Python call per entry."""
    return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)


def write_cache(path: Path, data: object) -> None:
    """Temp file + rename, no fsync: a cache lost in a crash is only rebuilt."""
    raw = _dumps(data)
    with contextlib.suppress(OSError):  # a read-only clone still works, only slower
        atomic_write(path, raw, durable=False)


# the readers' snapshot ---------------------------------------------------------------------------
@dataclass
class Stamps:
    """The stamps of an incident's files at the moment something was made from them."""

    meta_sig: Sig | None
    taken_ns: int
    files: dict[str, Sig]
    racy: frozenset[str]  # files whose stamps were too recent to trust: re-read next time

    def matches(self, meta_sig: Sig | None, files: dict[str, Sig]) -> bool:
        """True when every file has the stamp it had, and no stamp was too recent to trust."""
        same_meta = self.meta_sig == meta_sig and not too_recent(meta_sig, self.taken_ns)
        return same_meta and not self.racy and self.files == files


@dataclass
class Snapshot(Stamps):
    key: str
    entries: dict[str, Entry]
    folder: Folder
    version: int = VERSION

    @classmethod
    def of(
        cls,
        incident_id: str,
        meta_sig: Sig | None,
        taken: int,
        files: dict[str, Sig],
        entries: dict[str, Entry],
        folder: Folder,
    ) -> Snapshot:
        # a file that could not be read is read (and warned of) again next time
        racy = frozenset(n for n, s in files.items() if too_recent(s, taken) or n not in entries)
        return cls(meta_sig, taken, files, racy, cache_key(incident_id), entries, folder)


def scan(folder: str | Path) -> dict[str, Sig]:
    """Every entry file of an entries folder with its stamp (the names `entry_names` lists)."""
    try:
        it = os.scandir(folder)
    except FileNotFoundError:
        return {}
    with it:
        return {
            d.name: (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino)
            for d in it
            if is_entry_file(d.name)
            for s in (d.stat(),)
        }


@dataclass(frozen=True)
class Look:
    """The stamps of an incident's files, taken in this order: the moment, incident.toml, each
    entry file (taken after the moment: a later change shows)."""

    taken: int
    meta_sig: Sig | None
    files: dict[str, Sig]


def look(journal: Journal, incident_id: str) -> Look:
    """The incident's stamps now."""
    taken = time.time_ns()
    meta_sig = stamp(journal.incident_dir(incident_id) / META)
    folder = journal.entries_dir(incident_id)
    return Look(taken, meta_sig, scan(folder))


def snapshot(journal: Journal, incident_id: str, seen: Look | None = None) -> Snapshot:
    """The incident's entries and fold, from the cache where it still matches the files (as
    `seen` found them, if given)."""
    path = state_path(journal, incident_id)
    seen = seen or look(journal, incident_id)
    old = read_cache(path, Snapshot, incident_id)
    taken, meta_sig, files = seen.taken, seen.meta_sig, seen.files
    try:
        fresh = _refresh(journal, incident_id, old, meta_sig, files, taken)
    except CorruptFile:  # the write path must not keep rendering past a broken file either
        _head_path(journal, incident_id).unlink(missing_ok=True)
        raise
    if fresh is not old:
        write_cache(path, fresh)
        save_head(journal, incident_id, fresh)
    return fresh


def _refresh(
    journal: Journal,
    incident_id: str,
    old: Snapshot | None,
    meta_sig: Sig | None,
    files: dict[str, Sig],
    taken: int,
) -> Snapshot:
    """`old` if every file matches it; else a snapshot re-reading only the files that do not."""
    folder = journal.entries_dir(incident_id)
    if old is None:
        entries = read_entries(folder, sorted(files))
        return _folded(journal, incident_id, meta_sig, taken, files, entries)
    if old.matches(meta_sig, files):
        return old  # the cache is exact
    keep = {
        n: old.entries[n]
        for n, s in files.items()
        if old.files.get(n) == s and n not in old.racy and n in old.entries
    }
    parsed = read_entries(folder, sorted(files.keys() - keep.keys()))
    entries = {**keep, **parsed}
    same_meta = old.meta_sig == meta_sig and not too_recent(meta_sig, old.taken_ns)
    if not same_meta or not old.files.keys() <= files.keys() or not _appendable(old, parsed):
        return _folded(journal, incident_id, meta_sig, taken, files, entries)
    added = sorted((e for n, e in parsed.items() if n not in old.entries), key=Entry.sort_key)
    for entry in added:
        old.folder.apply(entry)
    return Snapshot.of(incident_id, meta_sig, taken, files, entries, old.folder)


def _folded(
    journal: Journal,
    incident_id: str,
    meta_sig: Sig | None,
    taken: int,
    files: dict[str, Sig],
    entries: dict[str, Entry],
) -> Snapshot:
    folded = fold_folder(journal.read_meta(incident_id), entries.values())
    return Snapshot.of(incident_id, meta_sig, taken, files, entries, folded)


def _appendable(old: Snapshot, parsed: Mapping[str, Entry]) -> bool:
    """True when every re-read file is new or unchanged and can be applied on top of the fold."""
    if any(n in old.entries and old.entries[n] != e for n, e in parsed.items()):
        return False
    added = sorted((e for n, e in parsed.items() if n not in old.entries), key=Entry.sort_key)
    if not added:
        return True
    return old.folder.accepts(added[0]) and all(
        e.kind not in (Kind.AMEND, Kind.STRIKE) for e in added
    )


def load_state(journal: Journal, incident_id: str) -> IncidentState:
    """The folded state of the incident (the readers' path)."""
    return snapshot(journal, incident_id).folder.freeze()


# the write path's head ---------------------------------------------------------------------------
@dataclass
class Head(Stamps):
    """The write path's small fold (what the incident page shows), under the one freshness rule:
    the stamps of every entry file it was folded from, and the entries of those whose stamps were
    too recent to trust (read again and compared before the head is used)."""

    key: str
    folder: Folder
    complete: bool  # False: older entries were dropped (fine for the page, not for other files)
    recent: dict[str, Entry]  # the entries of the files in `racy`
    version: int = VERSION

    def holds(self, files: dict[str, Sig], entries: Path) -> bool:
        """Whether the entry files `files` (stamps taken now) are still the ones folded: each
        stamp unchanged and not too recent, or the file read again equal to what was kept."""
        if files.keys() != self.files.keys():
            return False
        doubtful = {n for n, s in files.items() if s != self.files[n] or n in self.racy}
        if not doubtful <= self.recent.keys():
            return False
        try:
            return all(read_entry(entries / n) == self.recent[n] for n in doubtful)
        except CorruptFile:
            return False


def state_path(journal: Journal, incident_id: str) -> Path:
    """The readers' snapshot of an incident."""
    return cache_dir(journal) / "state" / f"{incident_id}.pickle"


def _head_path(journal: Journal, incident_id: str) -> Path:
    return cache_dir(journal) / "head" / f"{incident_id}.pickle"


def trimmed(folder: Folder) -> tuple[Folder, bool]:
    """A copy of `folder` keeping what the incident page shows: open items, the latest entries
    (and what refers to them), the last few decisions and changes."""
    copy = Folder.__new__(Folder)
    copy.__dict__.update(folder.__dict__)
    complete = len(folder.entries) <= KEEP
    copy.entries = folder.entries[-KEEP:]
    copy.items = {k: {i: it for i, it in v.items() if it.is_open} for k, v in folder.items.items()}
    for name in ("decisions", "status_changes", "severity_changes", "role_history"):
        setattr(copy, name, list(getattr(folder, name)[-KEEP_CHANGES:]))
    kept = {e.id for e in copy.entries} | {i for v in copy.items.values() for i in v}
    copy.originals = {k: v for k, v in folder.originals.items() if k in kept}
    copy.amendments = {k: v for k, v in folder.amendments.items() if k in kept}
    return copy, complete


def save_head(journal: Journal, incident_id: str, snap: Snapshot) -> None:
    """Store the write path's head of the snapshot `snap`."""
    folder, complete = trimmed(snap.folder)
    recent = {n: snap.entries[n] for n in snap.racy if n in snap.entries}
    stamps = (snap.meta_sig, snap.taken_ns, dict(snap.files), snap.racy)
    head = Head(*stamps, cache_key(incident_id), folder, complete, recent)
    write_cache(_head_path(journal, incident_id), head)


@contextlib.contextmanager
def head_before_write(
    journal: Journal, incident_id: str, new: str
) -> Iterator[Callable[[], Head | None]]:
    """The write path's head if it still holds for the entry files, checked now, before the entry
    file `new` (a name) is written; the answer is asked for once it is needed. Its incident.toml
    is compared whole (it is small); the entry files by the one freshness rule (`Head.holds`)."""
    head = read_cache(_head_path(journal, incident_id), Head, incident_id)
    try:
        if head is not None and journal.read_meta(incident_id) != head.folder.meta:
            head = None
    except CorruptFile:
        head = None
    entries = journal.entries_dir(incident_id)
    if head is not None and not head.holds(scan(entries), entries):
        head = None
    yield lambda: head


def state_after_write(
    journal: Journal, incident_id: str, head: Head | None, new: Path
) -> tuple[IncidentState, bool]:
    """The state with the entry file `new` (just written) for the derived files; True if it is
    complete. With a head that held before the write and an entry that sorts last, only the head
    is read; else the snapshot."""
    entry = read_entry(new)
    if head is None or not head.folder.accepts(entry):
        return load_state(journal, incident_id), True
    taken = time.time_ns()
    head.folder.apply(entry)
    head.folder, complete = trimmed(head.folder)
    head.complete = head.complete and complete
    head.recent[new.name] = entry
    head.files[new.name] = stamp(new) or (0, 0, 0, 0)
    head.taken_ns = taken
    head.racy = frozenset(n for n, s in head.files.items() if too_recent(s, taken))
    head.recent = {n: head.recent[n] for n in head.racy if n in head.recent}
    write_cache(_head_path(journal, incident_id), head)
    return head.folder.freeze(), head.complete


def page_ready(state: IncidentState, complete: bool) -> bool:
    """Whether a head's state has enough recent live entries for the page's recent timeline."""
    return complete or len(state.live_entries()) >= MIN_LIVE


def derived_state(
    journal: Journal, incident_id: str, head: Head | None, new: Path
) -> IncidentState:
    """The state the derived files are rendered from, right after the entry file `new` was written.

    The head serves when it was valid before the write, `new` sorts last and only the page is
    derived; written briefs (status/*.md) may show any entry, so they get the full state.
    """
    status = journal.incident_dir(incident_id) / STATUS
    if head is None or (status.is_dir() and any(status.glob("*.md"))):
        return load_state(journal, incident_id)
    state, complete = state_after_write(journal, incident_id, head, new)
    return state if page_ready(state, complete) else load_state(journal, incident_id)
