"""Shell completion of incident ids and entry ids (`ij --install-completion` installs it).

Completion runs on every Tab press, so these functions only read the journal and never raise:
outside a journal, or on any error, they offer nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import typer

from incjournal.core.errors import IncJournalError
from incjournal.core.model import Kind
from incjournal.store.journal import Journal

# the open items each closing command can close; other commands take any entry
CLOSABLE = {
    "answer": "questions",
    "retire": "risks",
    "confirm": "hypotheses",
    "rule-out": "hypotheses",
    "done": "actions",
}
HELP_WIDTH = 60


def incident_ids(incomplete: str) -> list[str]:
    """Incident ids starting with what was typed (shells keep only those), newest first."""
    try:
        ids = Journal.find().incident_ids()
    except (IncJournalError, OSError):
        return []
    return [i for i in reversed(ids) if i.startswith(incomplete)]


def entry_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Entry ids (with their headline as help) for the command being typed, newest first."""
    try:
        return list(_entries(ctx, incomplete.lower()))
    except (IncJournalError, OSError):
        return []


def _entries(ctx: typer.Context, prefix: str) -> Iterator[tuple[str, str]]:
    from incjournal.write import load_state

    journal = Journal.find()
    incident = ctx.params.get("incident")
    state = load_state(journal, journal.resolve_incident(incident))
    items = CLOSABLE.get(ctx.info_name or "")
    if items is not None:
        entries = [item.entry for item in state.open_items(items)]
    else:
        entries = [e for e in state.live_entries() if e.kind is not Kind.OPEN]
    for entry in reversed(entries):
        if entry.id.startswith(prefix):
            yield entry.id, _help(f"{entry.kind}: {entry.headline}")


def kinds(incomplete: str) -> list[str]:
    return [k.value for k in Kind if k.value.startswith(incomplete.lower())]


def _help(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= HELP_WIDTH else flat[: HELP_WIDTH - 1] + "…"
