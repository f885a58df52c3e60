"""Summaries of every incident for `ij list` and `ij stats`, cached and checked file by file.

`<git dir>/incjournal/cache/summaries.pickle` holds one row per incident: its summary, the names
of its entry files and the stamps (size, mtime, ctime, inode) of its incident.toml, of its entries
folder and of each of those files, taken before they were read. A row is used only when all of
them are unchanged: a file added, removed or renamed changes the folder's stamp, a rewrite in
place (even to the same size, the mtime put back) the file's ctime. Rows whose stamps were too
recent to trust (`cache.too_recent`) are summarised again. The incidents folder is listed again
only when its own stamp changed (a new incident.toml in a folder listed before is still seen: a
folder without a row is looked at on every run).

A summary is a tuple of strings and integers (times in microseconds since the epoch), so 10,000
rows load in milliseconds; checking them costs one stat per file, which is the floor for a check
that must see a rewrite in place.
"""

from __future__ import annotations

import os
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from incjournal.core.fold import RESOLVED_STATE, IncidentState, Milestones, fold_folder
from incjournal.store.cache import (
    VERSION,
    Sig,
    cache_dir,
    cache_key,
    load_state,
    read_cache,
    scan,
    stamp,
    state_path,
    too_recent,
    write_cache,
)
from incjournal.store.journal import ENTRIES, INCIDENTS, META, Journal, noting_unreadable

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(when: datetime) -> int:
    """`when` in microseconds since the epoch, as summaries hold times."""
    return (when - EPOCH) // timedelta(microseconds=1)


def _time(us: int | None) -> datetime | None:
    return None if us is None else EPOCH + timedelta(microseconds=us)


class Summary(NamedTuple):
    """What `ij list` and `ij stats` show of an incident: plain values (times in microseconds
    since the epoch), so 10,000 of them load in milliseconds; the datetimes are properties."""

    id: str
    title: str
    status: str
    severity: int | None
    ic: str | None
    reopened: bool
    entry_count: int
    opened_us: int
    started_us: int | None
    detected_us: int | None
    mitigated_us: int | None
    resolved_us: int | None
    last_us: int | None
    peak_severity: int | None = None  # the worst severity it reached (`ij stats` groups by it)

    @classmethod
    def of(cls, state: IncidentState) -> Summary:
        ms = state.milestones
        times = (ms.started, ms.detected, ms.mitigated, ms.resolved, state.last_at)
        started, detected, mitigated, resolved, last = (
            None if when is None else micros(when) for when in times
        )
        return cls(
            state.id,
            state.title,
            state.status,
            state.severity,
            state.roles.get("ic"),
            state.reopened,
            len(state.entries),
            micros(state.meta.opened_at),
            started,
            detected,
            mitigated,
            resolved,
            last,
            state.peak_severity,
        )

    @property
    def is_resolved(self) -> bool:
        return self.status == RESOLVED_STATE

    @property
    def opened_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.opened_us)

    @property
    def started(self) -> datetime | None:
        return _time(self.started_us)

    @property
    def resolved(self) -> datetime | None:
        return _time(self.resolved_us)

    @property
    def last_at(self) -> datetime | None:
        return _time(self.last_us)

    @property
    def milestones(self) -> Milestones:
        times = (self.started_us, self.detected_us, self.mitigated_us, self.resolved_us)
        started, detected, mitigated, resolved = map(_time, times)
        return Milestones(started, detected, mitigated, resolved)


Row = tuple[bytes | None, tuple[str, ...], tuple[Any, ...]]  # stamps, entry names, Summary
_PACK = struct.Struct("<QqqQ").pack  # a Sig as bytes: 10,000 rows of tuples load 10x slower


@dataclass
class Summaries:
    key: str
    taken_ns: int
    folder_sig: Sig | None  # of the incidents folder: unchanged means `names` still holds
    names: list[str]  # what the incidents folder held, sorted
    rows: dict[str, Row]  # incident id -> row; stamps None: too recent to trust, re-check
    version: int = VERSION


def _unchanged(base_fd: int, incident_id: str, row: Row) -> bool:
    """True when the incident's files have exactly the row's stamps: those of incident.toml, of
    the entries folder, then of each entry file in the row's `names` order. Paths are taken from
    the incidents folder (`base_fd`): a shorter walk for each of 50,000 stats."""
    stamps, names, _ = row
    if stamps is None:
        return False
    entries = f"{incident_id}/{ENTRIES}"
    paths = [f"{incident_id}/{META}", entries, *[f"{entries}/{n}" for n in names]]
    stat = os.stat
    try:
        found = [stat(path, dir_fd=base_fd) for path in paths]
    except OSError:  # gone: summarised again, which says why if it matters
        return False
    pack = _PACK
    now = [pack(s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino) for s in found]
    return b"".join(now) == stamps


def _unchanged_ids(base: str, names: list[str], rows: dict[str, Row]) -> set[str]:
    """Which of the incidents `names` (folders of `base`) still have their row's stamps."""
    try:
        base_fd = os.open(base, os.O_RDONLY)
    except OSError:
        return set()
    try:
        return {
            n for n in names if (row := rows.get(n)) is not None and _unchanged(base_fd, n, row)
        }
    finally:
        os.close(base_fd)


def _row(journal: Journal, prefix: str, incident_id: str, taken: int) -> Row | None:
    """The incident's summary with the stamps of its files taken before reading them; None when
    the folder is not an incident (what `Journal.incident_ids` leaves out)."""
    if not os.path.isfile(prefix + META):
        return None
    meta_sig, dir_sig = stamp(prefix + META), stamp(prefix + ENTRIES)
    files = scan(prefix + ENTRIES)
    names = tuple(sorted(files))
    sigs = [meta_sig, dir_sig, *(files[n] for n in names)]
    with noting_unreadable() as skipped:
        summary = _summary(journal, incident_id)
    stamps = None  # a row with a file too recent to trust, or unreadable, is made again
    if not skipped and not any(too_recent(s, taken) for s in sigs):  # (missing: too recent)
        stamps = b"".join(_PACK(*s) for s in sigs if s is not None)
    return stamps, names, tuple(summary)


def _summary(journal: Journal, incident_id: str) -> Summary:
    """From the incident's snapshot when it has one; else folded without caching it (a first
    `ij list` of 10,000 incidents must not write 20,000 cache files)."""
    if state_path(journal, incident_id).exists():
        return Summary.of(load_state(journal, incident_id))
    return Summary.of(
        fold_folder(journal.read_meta(incident_id), journal.read_entries(incident_id)).freeze()
    )


def summaries(journal: Journal) -> list[Summary]:
    """A summary of every incident (in id order), read from the cache where it still matches."""
    path = cache_dir(journal) / "summaries.pickle"
    taken = time.time_ns()
    key = str(journal.root)
    base = os.path.join(journal.root, INCIDENTS)
    folder_sig = stamp(base)
    old = read_cache(path, Summaries, key) or Summaries(cache_key(key), 0, None, [], {})
    names = old.names
    if old.folder_sig != folder_sig or too_recent(folder_sig, old.taken_ns):
        names = sorted(os.listdir(base)) if folder_sig is not None else []
    same = _unchanged_ids(base, names, old.rows)
    rows: dict[str, Row] = {}
    changed = names is not old.names
    for incident_id in names:
        row = old.rows[incident_id] if incident_id in same else None
        if row is None:
            row = _row(journal, f"{base}/{incident_id}/", incident_id, taken)
            if row is None:
                continue
            changed = True
        rows[incident_id] = row
    if changed or len(rows) != len(old.rows):
        write_cache(path, Summaries(cache_key(key), taken, folder_sig, names, rows))
    make = Summary._make
    return [make(row[2]) for row in rows.values()]
