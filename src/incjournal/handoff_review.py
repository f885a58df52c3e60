"""The writes behind `ij handoff --to` and `ij review --write`.

A hand-off is an IC role entry (through `journal.record`, like `ij role ic`). The review is written
once: from then on `review.md` belongs to the people who edit it, and only `--force` replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incjournal import commits
from incjournal import write as journal_mod
from incjournal.core.errors import BadValue
from incjournal.core.model import Kind
from incjournal.core.times import utcnow
from incjournal.store.journal import REVIEW, Journal, atomic_write
from incjournal.store.lock import writer_lock
from incjournal.write_checks import refuse_newer

IC = "ic"


def hand_off(
    journal: Journal, incident_id: str, to: str, by: str | None
) -> journal_mod.WriteResult:
    """Record that `to` is now the incident commander."""
    person = " ".join(to.split())
    if not person:
        raise BadValue("missing person: e.g. ij handoff --to 'Dana Kim'")
    if IC not in journal.config.roles:
        raise BadValue("this journal has no 'ic' role in incjournal.toml `roles`: add it first")
    state = journal_mod.load_state(journal, incident_id)
    current = state.roles.get(IC)
    if current == person:
        raise BadValue(f"{person} is already the incident commander of {incident_id}")
    text = f"Hand-off from {current}" if current else "Incident commander assigned"
    draft = journal_mod.Draft(Kind.ROLE, text, by=by, fields={"role": IC, "person": person})
    return journal_mod.record(journal, incident_id, draft)


@dataclass(frozen=True)
class ReviewWritten:
    path: Path
    commit: str | None
    replaced: bool
    warnings: tuple[str, ...]


def write_review(
    journal: Journal, incident_id: str, text: str, *, force: bool, by: str | None
) -> ReviewWritten:
    """Write incidents/<id>/review.md and commit it; refuse to replace it without `force`."""
    refuse_newer(journal, incident_id)
    path = journal.incident_dir(incident_id) / REVIEW
    author = commits.resolve_author(journal, by)
    with writer_lock(journal.state_dir, f"review of {incident_id}"):
        existed = path.exists()
        if existed and not force:
            raise BadValue(
                f"{path.relative_to(journal.root)} already exists and belongs to its editors now: "
                "edit it, or pass --force to replace it with a fresh draft"
            )
        atomic_write(path, text.encode())
        verb = "replaced with a fresh draft" if existed else "draft written"
        message = f"{incident_id}: review: {verb}\n\nIncident: {incident_id}\n"
        commit, warnings = commits.commit_or_defer(journal, [path], message, author, utcnow())
    return ReviewWritten(path, commit, existed, tuple(warnings))
