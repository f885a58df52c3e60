"""Caches of parsed entries and folded state: per clone, outside the committed tree, disposable.

Everything lives in `<git dir>/incjournal/cache/` (never committed, never synced); deleting the
folder only costs one slower command. Three kinds of file, each checked against the journal's
files before use and rebuilt (atomically, temp file + rename) when they disagree:

- `state/<incident>.pickle` (readers: `load_state`): every entry parsed, keyed by file name, with
  the file's (size, mtime, ctime, inode), and the fold of them. Checked by listing the entries
  folder and stat-ing every file: a file added, removed or rewritten in any way (git pull, another
  clone, an editor, a hand edit in place) is re-read; unchanged files never are. A new entry that
  sorts after everything folded is applied to the cached fold; anything else refolds the cached
  entries, without parsing them again.
- `head/<incident>.pickle` (the write path): the fold with only what derived files show (open
  items, the last entries) for `record()`, so an append reads and stats none of the history. It is
  checked, before the new entry is written, against the entries folder's own (mtime, ctime, inode),
  which any file created, removed or renamed in it changes, plus the number of entry files when
  that stamp is too recent to trust (it is, right after a write: a change within the same clock
  tick, on a file system with coarse timestamps, would keep it). Any mismatch falls back to the
  full snapshot above.
- `summaries.pickle` (`ij list`, `ij stats`): one row per incident, checked against the stamps of
  the incident folder and of its entries folder.

"Too recent to trust" is git's racy-clean rule: a stamp within `RACY_NS` of the moment it was
recorded may be shared by a later change on a file system with coarse timestamps, so such files
are re-read (and compared) instead of trusted. A cache file that cannot be read, is of another
version or is corrupt is ignored and rebuilt. A rewrite in place of an existing entry file that
leaves its folder untouched (only by hand: entry files are written once) is seen by the readers'
check at once, and by the write path once a reader has run: a reader that finds a changed file
rebuilds the head, one that finds a broken file deletes it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from incjournal.errors import CorruptFile
from incjournal.fold import Folder, IncidentState, Milestones, fold_folder
from incjournal.model import Entry, IncidentMeta, Kind
from incjournal.store import ENTRIES, INCIDENTS, META, Journal, atomic_write, read_entry

VERSION = 1
RACY_NS = 2_000_000_000  # stamps this close to the moment they were taken are re-checked
KEEP = 100  # entries the write-path head keeps (the page shows the last 10 live ones)
MIN_LIVE = 20  # a head whose kept entries hold fewer live ones is not used for the page
DIR = "cache"

Sig = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
T = TypeVar("T")


def _sig(st: os.stat_result) -> Sig:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _stat(path: str | Path) -> Sig | None:
    try:
        return _sig(os.stat(path))
    except FileNotFoundError:
        return None


def _racy(sig: Sig | None, taken_ns: int) -> bool:
    return sig is None or max(sig[1], sig[2]) >= taken_ns - RACY_NS


def cache_dir(journal: Journal) -> Path:
    return journal.state_dir / DIR


@functools.cache
def code_key() -> str:
    """A digest of the code whose objects the cache stores: a new fold or model drops the cache."""
    from incjournal import fold, model

    sources = [Path(m.__file__ or "").read_bytes() for m in (fold, model)]
    sources.append(Path(__file__).read_bytes())
    return "-".join(f"{zlib.crc32(s):08x}{len(s):x}" for s in sources)


def _key(name: str) -> str:
    return f"{name}@{code_key()}"


# reading and writing cache files ----------------------------------------------------------------
def _load(path: Path, kind: type[T], key: str) -> T | None:
    """The cached object, or None when missing, unreadable, corrupt, of another version or key."""
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)  # noqa: S301 - our own per-clone file, never committed
    except Exception:  # a truncated or foreign file is only a cache miss
        return None
    if not isinstance(data, kind) or getattr(data, "version", None) != VERSION:
        return None
    return data if getattr(data, "key", None) == _key(key) else None


def _save(path: Path, data: object) -> None:
    """Temp file + rename, no fsync: a cache lost in a crash is only rebuilt."""
    with contextlib.suppress(OSError):  # a read-only clone still works, only slower
        atomic_write(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


# the readers' snapshot ---------------------------------------------------------------------------
@dataclass
class Snapshot:
    key: str
    meta_sig: Sig | None
    taken_ns: int
    files: dict[str, Sig]
    entries: dict[str, Entry]
    folder: Folder
    version: int = VERSION


def _scan(folder: Path) -> dict[str, Sig]:
    """Every entry file of an entries folder with its stamp (the names `entry_names` lists)."""
    try:
        it = os.scandir(folder)
    except FileNotFoundError:
        return {}
    with it:
        return {
            d.name: _sig(d.stat())
            for d in it
            if d.name.endswith(".toml") and not d.name.startswith(".")
        }


def snapshot(journal: Journal, incident_id: str) -> Snapshot:
    """The incident's entries and fold, from the cache where it still matches the files."""
    path = cache_dir(journal) / "state" / f"{incident_id}.pickle"
    taken = time.time_ns()
    meta_sig = _stat(journal.incident_dir(incident_id) / META)
    dir_sig = _stat(journal.entries_dir(incident_id))  # before the scan: a later change shows
    files = _scan(journal.entries_dir(incident_id))
    old = _load(path, Snapshot, incident_id)
    try:
        fresh = _refresh(journal, incident_id, old, meta_sig, files, taken)
    except CorruptFile:  # the write path must not keep rendering past a broken file either
        _head_path(journal, incident_id).unlink(missing_ok=True)
        raise
    if fresh is not old:
        _save(path, fresh)
        save_head(journal, incident_id, fresh.folder, files, dir_sig, taken)
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
        entries = {n: read_entry(folder / n) for n in sorted(files)}
        return _folded(journal, incident_id, meta_sig, taken, files, entries)
    keep = {
        n: old.entries[n]
        for n, s in files.items()
        if n in old.entries and old.files.get(n) == s and not _racy(s, old.taken_ns)
    }
    parsed = {n: read_entry(folder / n) for n in sorted(files.keys() - keep.keys())}
    entries = {**keep, **parsed}
    same_meta = old.meta_sig == meta_sig and not _racy(meta_sig, old.taken_ns)
    if not same_meta or not old.files.keys() <= files.keys() or not _appendable(old, parsed):
        return _folded(journal, incident_id, meta_sig, taken, files, entries)
    if not parsed:
        return old  # nothing re-read: the cache is exact
    added = sorted((e for n, e in parsed.items() if n not in old.entries), key=Entry.sort_key)
    for entry in added:
        old.folder.apply(entry)
    return Snapshot(_key(incident_id), meta_sig, taken, files, entries, old.folder)


def _folded(
    journal: Journal,
    incident_id: str,
    meta_sig: Sig | None,
    taken: int,
    files: dict[str, Sig],
    entries: dict[str, Entry],
) -> Snapshot:
    folded = fold_folder(journal.read_meta(incident_id), entries.values())
    return Snapshot(_key(incident_id), meta_sig, taken, files, entries, folded)


def _appendable(old: Snapshot, parsed: Mapping[str, Entry]) -> bool:
    """True when every re-read file is new and can be applied on top of the cached fold."""
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
class Head:
    key: str
    dir_sig: Sig | None
    taken_ns: int
    count: int
    folder: Folder
    complete: bool  # False: older entries were dropped (fine for the page, not for other files)
    version: int = VERSION


def _head_path(journal: Journal, incident_id: str) -> Path:
    return cache_dir(journal) / "head" / f"{incident_id}.pickle"


def trimmed(folder: Folder) -> tuple[Folder, bool]:
    """A copy of `folder` keeping what the incident page shows: open items, the latest entries."""
    copy = Folder.__new__(Folder)
    copy.__dict__.update(folder.__dict__)
    complete = len(folder.entries) <= KEEP
    copy.entries = folder.entries[-KEEP:]
    copy.items = {k: {i: it for i, it in v.items() if it.is_open} for k, v in folder.items.items()}
    for name in ("decisions", "status_changes", "severity_changes", "role_history"):
        setattr(copy, name, list(getattr(folder, name)[-KEEP:]))
    kept = {e.id for e in copy.entries}
    copy.originals = {k: v for k, v in folder.originals.items() if k in kept}
    return copy, complete


def save_head(
    journal: Journal,
    incident_id: str,
    folder: Folder,
    names: Iterable[str],
    dir_sig: Sig | None,
    taken: int,
) -> None:
    """Store the write path's head of a fold of the entry files `names` (folder stamp `dir_sig`)."""
    head, complete = trimmed(folder)
    key = _key(incident_id)
    data = Head(key, dir_sig, taken, len(list(names)), head, complete)
    _save(_head_path(journal, incident_id), data)


def _is_entry_name(name: str) -> bool:
    return name.endswith(".toml") and not name.startswith(".")


def head_before_write(journal: Journal, incident_id: str) -> Head | None:
    """The write path's head if it still matches the entries folder (call before writing)."""
    head = _load(_head_path(journal, incident_id), Head, incident_id)
    if head is None:
        return None
    entries = journal.entries_dir(incident_id)
    try:
        if journal.read_meta(incident_id) != head.folder.meta:  # one small file: compared whole
            return None
    except CorruptFile:
        return None
    if _stat(entries) != head.dir_sig:
        return None
    racy = _racy(head.dir_sig, head.taken_ns)
    if racy and sum(1 for n in os.listdir(entries) if _is_entry_name(n)) != head.count:
        return None
    return head


def state_after_write(
    journal: Journal, incident_id: str, head: Head | None, entry: Entry
) -> tuple[IncidentState, bool]:
    """The state with `entry` (just written) for the derived files; True if it is complete.

    With a valid head and an entry that sorts last, only the head is read; else the snapshot.
    """
    taken = time.time_ns()
    if head is not None and head.folder.accepts(entry):
        head.folder.apply(entry)
        head.folder.entries = head.folder.entries[-KEEP:]
        head.complete = head.complete and len(head.folder.entries) < KEEP
        head.count += 1
        head.dir_sig = _stat(journal.entries_dir(incident_id))
        head.taken_ns = taken
        _save(_head_path(journal, incident_id), head)
        return head.folder.freeze(), head.complete
    return load_state(journal, incident_id), True


def page_ready(state: IncidentState, complete: bool) -> bool:
    """Whether a head's state has enough recent live entries for the page's recent timeline."""
    return complete or len(state.live_entries()) >= MIN_LIVE


# summaries for list and stats --------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    """What `ij list` and `ij stats` show of an incident."""

    meta: IncidentMeta
    status: str
    severity: int | None
    roles: Mapping[str, str]
    milestones: Milestones
    reopened: bool
    entry_count: int
    last_at: datetime | None
    is_resolved: bool

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @classmethod
    def of(cls, state: IncidentState) -> Summary:
        return cls(
            state.meta,
            state.status,
            state.severity,
            dict(state.roles),
            state.milestones,
            state.reopened,
            len(state.entries),
            state.last_at,
            state.is_resolved,
        )


def _summary(journal: Journal, incident_id: str) -> Summary:
    """From the incident's snapshot when it has one; else folded without caching it (a first
    `ij list` of 10,000 incidents must not write 20,000 cache files)."""
    if (cache_dir(journal) / "state" / f"{incident_id}.pickle").exists():
        return Summary.of(load_state(journal, incident_id))
    return Summary.of(
        fold_folder(journal.read_meta(incident_id), journal.read_entries(incident_id)).freeze()
    )


@dataclass
class Summaries:
    key: str
    taken_ns: int
    rows: dict[str, tuple[Sig | None, Sig | None, Summary]] = field(default_factory=dict)
    version: int = VERSION


def summaries(journal: Journal) -> Iterator[Summary]:
    """A summary of every incident (in id order), read from the cache where it still matches."""
    path = cache_dir(journal) / "summaries.pickle"
    taken = time.time_ns()
    old = _load(path, Summaries, str(journal.root)) or Summaries(_key(str(journal.root)), 0)
    new = Summaries(_key(str(journal.root)), taken)
    base = os.path.join(journal.root, INCIDENTS)  # plain strings: 10,000 Path joins cost more
    try:
        names = sorted(os.listdir(base))
    except FileNotFoundError:
        names = []
    for incident_id in names:
        folder = os.path.join(base, incident_id)
        stamps = (_stat(folder), _stat(os.path.join(folder, ENTRIES)))
        row = old.rows.get(incident_id)
        if row is None or row[:2] != stamps or any(_racy(s, old.taken_ns) for s in stamps):
            # (an unchanged folder stamp also means its incident.toml is still there)
            if not os.path.isfile(os.path.join(folder, META)):
                continue  # not an incident (what `Journal.incident_ids` leaves out)
            row = (*stamps, _summary(journal, incident_id))
        new.rows[incident_id] = row
        yield row[2]
    if new.rows != old.rows:
        _save(path, new)


def derived_state(
    journal: Journal, incident_id: str, head: Head | None, new: Path
) -> IncidentState:
    """The state the derived files are rendered from, right after the entry file `new` was written.

    The head serves when it was valid before the write, `new` sorts last and only the page is
    derived; written briefs (status/*.md) may show any entry, so they get the full state.
    """
    from incjournal.derive import STATUS

    status = journal.incident_dir(incident_id) / STATUS
    if head is None or (status.is_dir() and any(status.glob("*.md"))):
        return load_state(journal, incident_id)
    state, complete = state_after_write(journal, incident_id, head, read_entry(new))
    return state if page_ready(state, complete) else load_state(journal, incident_id)
