"""Derived files of an incident: never merged, always rebuilt from the entries."""

from __future__ import annotations

import os
from pathlib import Path

from incjournal.core.fold import IncidentState
from incjournal.store.journal import PAGE, STATUS, Journal


def derived_files(journal: Journal, state: IncidentState) -> dict[Path, bytes]:
    """Every derived file of the incident with its current content."""
    from incjournal.render.page import incident_page

    folder = journal.incident_dir(state.id)
    files = {folder / PAGE: incident_page(state, journal.config).encode()}
    files.update(status_files(journal, state))
    return files


def status_files(journal: Journal, state: IncidentState) -> dict[Path, bytes]:
    """The briefs written with `ij brief --write` (status/<audience>.md), rebuilt.

    Only briefs that exist are kept current; Jinja2 is loaded only when there is one. A brief
    that cannot be rendered now (audience removed, template broken) keeps its last content.
    """
    folder = journal.incident_dir(state.id) / STATUS
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".md") and n[0] != ".")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    if not names:
        return {}
    from incjournal.render.briefs import status_text

    texts = {name: status_text(journal, state, name.removesuffix(".md")) for name in names}
    return {folder / name: text.encode() for name, text in texts.items() if text is not None}
