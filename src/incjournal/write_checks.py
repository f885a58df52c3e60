"""What the write path checks before anything is written: a journal or incident written by a newer
incjournal, a backdate that lands on the wrong day, a likely secret in what was typed, the public
lint of a public entry."""

from __future__ import annotations

from incjournal.core import config as config_mod
from incjournal.core.errors import BadTime, NewerFormat
from incjournal.core.model import FORMAT, Entry, Kind, newer_format
from incjournal.core.times import backdate_problem
from incjournal.store.journal import META, Journal


def refuse_newer(journal: Journal, incident_id: str | None = None) -> None:
    """Refuse to write to a journal (or an incident) that a newer incjournal wrote: this version
    can read it where it can, but what it writes could contradict what the newer one means."""
    written_in = journal.config.raw.get("format", config_mod.FORMAT)
    if isinstance(written_in, int) and written_in > config_mod.FORMAT:
        raise NewerFormat(f"{journal.root / config_mod.FILENAME}: {newer_format(written_in)}")
    if incident_id is not None and (journal.incident_dir(incident_id) / META).is_file():
        meta = journal.read_meta(incident_id)
        if meta.format > FORMAT:
            path = journal.incident_dir(incident_id) / META
            raise NewerFormat(f"{path}: {newer_format(meta.format)}")


def check_backdate(journal: Journal, incident_id: str, typed: str | None, entry: Entry) -> None:
    """Refuse a time typed without a date that lands more than an hour before the incident
    opened (`--at 09:00` at 07:30 is yesterday): the user gives the date to mean it."""
    if typed is None or entry.kind is Kind.OPEN:
        return
    opened = journal.read_meta(incident_id).opened_at
    tz = journal.config.tz
    problem = backdate_problem(typed, entry.at, opened, tz, entry.recorded_at)
    if problem is not None:
        raise BadTime(problem)


def check_text(journal: Journal, entry: Entry, allow_secret: bool) -> None:
    """Refuse a likely secret in what the user typed (unless allowed)."""
    if allow_secret:
        return
    from incjournal import secret_guard as guard

    guard.refuse_secrets(journal.config, entry)


def public_check(journal: Journal, incident_id: str, entry: Entry, allow_lint: bool) -> list[str]:
    """The public lint of a public entry: refused (BadValue) on a finding unless `allow_lint`,
    when the findings are returned as warnings."""
    if not entry.public:
        return []
    from incjournal.publiclint import entry_findings, refusal

    findings = entry_findings(journal, incident_id, entry)
    if findings and not allow_lint:
        what = f"update to {entry.audience}" if entry.audience else f"public {entry.kind}"
        raise refusal(what, findings)
    return [f"public lint: {f}" for f in findings]
