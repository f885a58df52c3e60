"""Derived files of an incident: never merged, always rebuilt from the entries."""

from __future__ import annotations

from pathlib import Path

from incjournal.fold import IncidentState
from incjournal.store import PAGE, Journal


def derived_files(journal: Journal, state: IncidentState) -> dict[Path, bytes]:
    """Every derived file of the incident with its current content."""
    from incjournal.render.page import incident_page

    folder = journal.incident_dir(state.id)
    return {folder / PAGE: incident_page(state, journal.config).encode()}
