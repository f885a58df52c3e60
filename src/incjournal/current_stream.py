"""Which workstream an entry is written into: `-s/--stream NAME`, else this clone's current one.

`ij stream use NAME` makes NAME current for the current incident in this clone (kept in the
per-clone state dir, never committed, like `ij use`). An entry named into a stream with `-s`
must name an open one; a current stream that was closed since is left out quietly.
"""

from __future__ import annotations

from incjournal.core import streams
from incjournal.core.model import Kind
from incjournal.store.cache import load_state
from incjournal.store.journal import Journal, atomic_write

CURRENT = "stream"  # in the state dir: "<incident id> <stream name>"
UNSTREAMED = frozenset({Kind.OPEN, Kind.STREAM})


def current(journal: Journal, incident_id: str) -> str | None:
    """This clone's current stream in `incident_id`, if one was chosen with `ij stream use`."""
    try:
        saved = (journal.state_dir / CURRENT).read_text().split()
    except FileNotFoundError:
        return None
    return saved[1] if len(saved) == 2 and saved[0] == incident_id else None


def use(journal: Journal, incident_id: str, name: str) -> str | None:
    """Make `name` the current stream (`-`: none); returns the stream now current."""
    if name.strip() == streams.NO_STREAM:
        (journal.state_dir / CURRENT).unlink(missing_ok=True)
        return None
    chosen = streams.check_open(load_state(journal, incident_id), name).name
    atomic_write(journal.state_dir / CURRENT, f"{incident_id} {chosen}\n".encode())
    return chosen


def settle(journal: Journal, incident_id: str, kind: Kind, named: str | None) -> str | None:
    """The stream an entry of `kind` goes into: the one named (`-`: none), else the current one
    while it is open."""
    if kind in UNSTREAMED:
        return named
    if named == streams.NO_STREAM:
        return None
    if named:
        return streams.check_open(load_state(journal, incident_id), named).name
    chosen = current(journal, incident_id)
    if chosen is None:
        return None
    open_names = {s.name for s in streams.streams_of(load_state(journal, incident_id)) if s.is_open}
    return chosen if chosen in open_names else None
