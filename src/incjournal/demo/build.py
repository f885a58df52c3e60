"""`ij demo`: a sample journal with one realistic incident, written through the real write path.

Every entry goes through `journal.record` (lock, atomic file, derived files, one git commit), with
`at` times backdated so the story reads naturally: the incident was detected two hours ago and took
about an hour and a half, with five responders, an IC hand-off, hypotheses confirmed and ruled
out, decisions with their reasons, risks, questions, actions and follow-ups, updates to every
audience, mitigation and resolution.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from datetime import time as time_of_day
from pathlib import Path

from incjournal import write as journal_mod
from incjournal.core.errors import BadValue
from incjournal.core.times import to_rfc3339, utcnow
from incjournal.demo.story import PEOPLE, SLUG, STORY, TITLE, Step
from incjournal.store.journal import Journal

DETECTED = time_of_day(10, 0)  # the story's clock: detected at 10:00 in the journal's zone
LENGTH = timedelta(minutes=100)  # the last entry, after detection


@dataclass(frozen=True)
class DemoJournal:
    journal: Journal
    incident_id: str
    detected_at: datetime
    entries: int
    seconds: float
    review: Path | None = None


def build(directory: Path, now: datetime | None = None) -> DemoJournal:
    """Make `directory` (new or empty) a journal holding the sample incident."""
    started = time.perf_counter()
    _refuse_non_empty(directory)
    journal, _ = journal_mod.init(directory, PEOPLE["priya"])
    detected = detection_time(now or utcnow(), journal.config.tz)
    result = journal_mod.open_incident(
        journal,
        TITLE,
        severity=2,
        at=to_rfc3339(detected),
        slug=SLUG,
        ic="Priya",
        by=PEOPLE["priya"],
    )
    incident_id = result.incident_id
    ids: dict[str, str] = {}
    for step in STORY:
        ids_entry = _record(journal, incident_id, step, detected, ids)
        if step.label:
            ids[step.label] = ids_entry
    review = write_review(journal, incident_id)
    elapsed = time.perf_counter() - started
    return DemoJournal(journal, incident_id, detected, len(STORY) + 1, elapsed, review)


def detection_time(now: datetime, tz: tzinfo) -> datetime:
    """The latest 10:00 (journal zone) after which the whole story is already in the past."""
    local = now.astimezone(tz)
    day = local.date()
    while True:
        candidate = datetime.combine(day, DETECTED, tzinfo=tz)
        if candidate + LENGTH <= local:
            return candidate
        day -= timedelta(days=1)


def _refuse_non_empty(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BadValue(
            f"{directory} exists and is not empty: give a new folder, or omit DIR for a temp one"
        )


def _record(
    journal: Journal, incident_id: str, step: Step, detected: datetime, ids: Mapping[str, str]
) -> str:
    fields = dict(step.fields)
    if step.ref is not None:
        fields["ref"] = ids[step.ref]
    for name in ("due", "next_at"):  # minutes after detection -> a time
        if isinstance(fields.get(name), int | float):
            fields[name] = detected + timedelta(minutes=fields[name])
    draft = journal_mod.Draft(
        step.kind,
        step.text,
        at=to_rfc3339(detected + timedelta(minutes=step.minute)),
        by=PEOPLE[step.who],
        tags=step.tags,
        public=step.public,
        fields=fields,
    )
    return journal_mod.record(journal, incident_id, draft).entry.id


def write_review(journal: Journal, incident_id: str) -> Path | None:
    """`ij review --write` for the demo, when the review modules are there; None otherwise."""
    try:
        review = importlib.import_module("incjournal.render.review")
        reports = importlib.import_module("incjournal.handoff_review")
    except ImportError:
        return None
    state = journal_mod.load_state(journal, incident_id)
    text = review.review_markdown(state, journal.config)
    written = reports.write_review(journal, incident_id, text, force=False, by=PEOPLE["dana"])
    path: Path = written.path
    return path
