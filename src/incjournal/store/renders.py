"""Whole-incident views kept in the cache (`ij review`, `ij timeline --json`): their text with the
stamps of the files it was made from, under the cache's one freshness rule (`store.cache`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from incjournal.core.fold import IncidentState
from incjournal.store.cache import (
    VERSION,
    Stamps,
    cache_dir,
    cache_key,
    look,
    read_cache,
    snapshot,
    write_cache,
)
from incjournal.store.journal import Journal


@dataclass
class Rendered(Stamps):
    key: str
    inputs: str  # what else it depends on (the configuration)
    text: str
    version: int = VERSION


def rendered(
    journal: Journal,
    incident_id: str,
    name: str,
    inputs: str,
    build: Callable[[IncidentState], str],
) -> str:
    """`build(state)` for a view that depends on nothing but the incident's state and `inputs`
    (not on the clock, the terminal or anything else), kept with the stamps of the files it was
    made from: served again while every file has its stamp, with the same `inputs` and the same
    code. The review of a 10,000-entry incident takes longer to render than to check."""
    path = cache_dir(journal) / "renders" / f"{incident_id}.{name}.pickle"
    seen = look(journal, incident_id)
    old = read_cache(path, Rendered, incident_id)
    if old is not None and old.inputs == inputs and old.matches(seen.meta_sig, seen.files):
        return str(old.text)
    snap = snapshot(journal, incident_id, seen)  # stamps taken before its files were read
    text = build(snap.folder.freeze())
    stamps = (snap.meta_sig, snap.taken_ns, snap.files, snap.racy)
    write_cache(path, Rendered(*stamps, cache_key(incident_id), inputs, text))
    return text
