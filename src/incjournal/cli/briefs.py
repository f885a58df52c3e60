"""Audience briefs and the update cadence: brief, update, due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import (
    EntryOptions,
    IncidentOpt,
    JsonOpt,
    emit_json,
    emit_markdown,
    entry_command,
    open_journal,
    print_written,
    read_text,
)
from incjournal.core.cadence import Due, due_updates
from incjournal.core.errors import BadValue, ExitCode
from incjournal.core.fold import IncidentState
from incjournal.core.model import Kind
from incjournal.core.times import parse_duration, parse_time, to_rfc3339, utcnow
from incjournal.store.journal import Journal

AUDIENCES = "responders, engineering, support, exec, public (or one of your own)."


@app.command()
def brief(
    audience: Annotated[str, typer.Option("--for", help=f"The audience: {AUDIENCES}")] = (
        "responders"
    ),
    write: Annotated[
        bool,
        typer.Option("--write", help="Write and commit status/AUDIENCE.md; kept current after."),
    ] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Raw Markdown on a TTY.")] = False,
    incident: IncidentOpt = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Open with what changed since then (default: last update)."),
    ] = None,
) -> None:
    """The incident's status summary for one audience, as Markdown; it opens with what changed
    since that audience's last `ij update` (or since --since).

    Example: ij brief --for exec --since 10:30
    """
    from incjournal.render import briefs

    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    state = journal_mod.load_state(journal, incident_id)
    if write:
        written = briefs.write_brief(journal, state, audience)
        rel = written.path.relative_to(journal.root)
        commit = f" (commit {written.commit[:7]})" if written.commit else ""
        typer.echo(f"wrote {rel}{commit}" if written.changed else f"{rel} is already current")
        _warn(written.warnings)
    else:
        now = utcnow()
        since_at = parse_time(since, journal.config.tz, now) if since else None
        text = briefs.render_brief(journal, state, audience, now, since_at)
        emit_markdown(text, raw=markdown)
    _warn(_lint_lines(journal, state, audience))


def _lint_lines(journal: Journal, state: IncidentState, audience: str) -> list[str]:
    from incjournal.render import briefs

    found = briefs.check_brief(journal, state, audience)
    return [f"public lint: {f}" for f in found] + briefs.advice(state, journal.config, audience)


def _warn(lines: Sequence[str]) -> None:
    for line in lines:
        typer.echo(f"ij: warning: {line}", err=True)


@entry_command("update")
def update(
    audience: Annotated[str, typer.Argument(help=f"Who got the update: {AUDIENCES}")],
    text: Annotated[
        str | None,
        typer.Argument(help="What was sent (default: the audience's brief now); '-' reads stdin."),
    ] = None,
    next_in: Annotated[
        str | None,
        typer.Option("--next", help="When the next update is due, e.g. 30m (default: cadence)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Record a public-facing text despite lint findings.")
    ] = False,
    *,
    opts: EntryOptions,
) -> None:
    """Record that an update went out to AUDIENCE; restarts its cadence clock.

    Example: ij update exec --next 30m
    """
    from incjournal.render import briefs

    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    public = briefs.check_audience(journal.config, audience).public
    now = utcnow()
    sent = parse_time(opts.at, journal.config.tz, now) if opts.at else now
    next_at = sent + parse_duration(next_in) if next_in else None
    state = journal_mod.load_state(journal, incident_id)
    body, findings = _update_text(journal, state, audience, text, now)
    if public and findings and not force:
        from incjournal.publiclint import describe

        raise BadValue(
            f"refused: the update to {audience} has {len(findings)} public-lint finding(s): "
            f"{describe(findings)}; fix the text (or amend the entries), or pass --force"
        )
    draft = opts.draft(Kind.UPDATE, body, audience=audience, next_at=next_at)
    print_written(journal_mod.record(journal, incident_id, draft), f"update to {audience}:")
    if public and not opts.public:  # a --public entry was linted as it was recorded
        _warn([f"public lint: {f}" for f in findings])


def _update_text(
    journal: Journal, state: IncidentState, audience: str, text: str | None, now: datetime
) -> tuple[str, list[Any]]:
    """The text that went out (the rendered brief unless given) and its public-lint findings."""
    from incjournal.publiclint import lint, people_of
    from incjournal.render import briefs

    if text is None:
        body = briefs.render_brief(journal, state, audience, now)
        return body, briefs.check_brief(journal, state, audience)
    body = read_text(text, "update")
    return body, lint(body, people_of(state), journal.config)


@app.command()
def due(
    incident: IncidentOpt = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every incident that still owes an update.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Audiences due or overdue for an update; exit code 1 when any is overdue.

    Example: ij due --json
    """
    from incjournal.render.context import due_line, due_view

    journal = open_journal()
    now = utcnow()
    ids = journal.incident_ids() if every else [journal.resolve_incident(incident)]
    rows = [
        (incident_id, d)
        for incident_id in ids
        for d in due_updates(journal_mod.load_state(journal, incident_id), journal.config, now)
        if d.state != "none"
    ]
    if as_json:
        emit_json([_due_json(i, d) for i, d in rows])
    else:
        for incident_id, d in rows:
            prefix = f"{incident_id}: " if every else ""
            typer.echo(prefix + due_line(due_view(d, journal.config.tz, now)))
        if not rows:
            typer.echo("no update is owed")
    if any(d.state == "overdue" for _, d in rows):
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _due_json(incident_id: str, due: Due) -> dict[str, Any]:
    return {
        "incident": incident_id,
        "audience": due.audience,
        "public": due.public,
        "state": due.state,
        "next_due": to_rfc3339(due.next_due) if due.next_due else None,
        "last_update": to_rfc3339(due.last_update) if due.last_update else None,
        "remaining_s": int(due.remaining.total_seconds()) if due.remaining is not None else None,
        "cadence_s": int(due.cadence.total_seconds()) if due.cadence is not None else None,
    }
