"""`ij brief --write`: a brief kept as `status/<audience>.md`, written and committed.

The text comes from `render.briefs` (which only renders); every later write keeps the file current
(`render.derived.status_files`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incjournal import write as journal_mod
from incjournal.core.fold import IncidentState
from incjournal.render.briefs import render_brief, status_path
from incjournal.render.context import as_of
from incjournal.store.journal import STATUS, Journal


@dataclass(frozen=True)
class Written:
    path: Path
    changed: bool
    commit: str | None
    warnings: tuple[str, ...]


def write_brief(journal: Journal, state: IncidentState, audience: str) -> Written:
    """Write `status/<audience>.md` and commit it; later writes keep it current."""
    text = render_brief(journal, state, audience, as_of(state))
    rel = f"{STATUS}/{audience}.md"
    changed, commit, warnings = journal_mod.write_files(
        journal, state.id, {rel: text.encode()}, f"brief: {rel}"
    )
    return Written(status_path(journal, state.id, audience), bool(changed), commit, tuple(warnings))
