"""How ij's own files reach git: whose name a commit carries, one commit of exactly the paths a
write made (or, when git cannot commit now, the paths kept pending for the next write or sync),
and the derived pages rebuilt from committed entries.

Below both the write path (`write`) and `repair`, which each commit what they wrote through here.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incjournal.core.errors import BadValue, GitError, NoAuthor
from incjournal.git import commit as gitlog
from incjournal.store import cache
from incjournal.store.journal import Journal, atomic_write

if TYPE_CHECKING:
    from incjournal.hand_edits import HandEdits

PENDING = "pending"  # in the state dir: paths written but not committed yet, one a line


def resolve_author(journal: Journal, by: str | None) -> gitlog.Identity:
    for candidate in (by, os.environ.get("INCJOURNAL_AUTHOR")):
        if candidate and candidate.strip():
            ident = gitlog.parse_identity(candidate)
            if ident is None:
                raise BadValue(f"cannot read author {candidate!r}: use 'Name' or 'Name <email>'")
            return ident
    ident = gitlog.configured_identity(journal.root)
    if ident is None:
        raise NoAuthor(
            "no author: pass --by NAME, set INCJOURNAL_AUTHOR, or run "
            "`git config --global user.name 'Your Name'`"
        )
    return ident


def write_derived(
    journal: Journal,
    incident_id: str,
    head: cache.Head | None = None,
    new: Path | None = None,
    edits: HandEdits | None = None,
) -> list[Path]:
    """Rebuild the incident's derived files from committed entries and ij's own; returns those
    whose content changed. A derived file the user edited (and did not commit) is left as it is.

    After `record()` wrote the entry file `new`, the write path's cache (`head`, checked before
    that write) gives the state without reading the incident's history.
    """
    from incjournal import hand_edits
    from incjournal.render.derived import derived_files

    if edits is None:
        ours = [journal.root / rel for rel in pending(journal)]  # ij's own, not the user's
        edits = hand_edits.find(journal, incident_id, ours)
    if edits.entries:
        state = hand_edits.committed_state(journal, incident_id, edits)
    elif new is not None:
        state = cache.derived_state(journal, incident_id, head, new)
    else:
        state = cache.load_state(journal, incident_id)
    files = derived_files(journal, state).items()
    return [
        path for path, data in files if path not in edits.derived and write_if_changed(path, data)
    ]


def commit_or_defer(
    journal: Journal,
    paths: Sequence[Path],
    message: str,
    author: gitlog.Identity,
    when: datetime,
) -> tuple[str | None, list[str]]:
    """Commit `paths` plus earlier pending ones; if git cannot commit now (a lock, a rebase, a
    failing hook or signer, HEAD moved meanwhile), keep them pending and say why."""
    rel = committed_paths(journal, paths)
    reason = gitlog.busy_reason(journal.git_dir)
    if reason is None:
        try:
            commit = gitlog.commit_paths(journal.root, journal.git_dir, rel, message, author, when)
        except GitError as exc:
            reason = str(exc)
        else:
            (journal.state_dir / PENDING).unlink(missing_ok=True)
            return commit, []
    atomic_write(journal.state_dir / PENDING, "".join(f"{p}\n" for p in rel).encode())
    return None, [f"saved, not committed: {reason}; the next write or `ij sync` commits it"]


def committed_paths(journal: Journal, paths: Sequence[Path]) -> list[str]:
    """What a commit of `paths` takes (relative to the journal): them, and any left pending."""
    return sorted({os.path.relpath(p, journal.root) for p in paths} | set(pending(journal)))


def pending(journal: Journal) -> list[str]:
    try:
        lines = (journal.state_dir / PENDING).read_text().splitlines()
    except FileNotFoundError:
        return []
    return [line for line in lines if line.strip()]


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that; True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write(path, data)
    return True
