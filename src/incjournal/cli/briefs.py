"""Audience briefs and the update cadence: brief, update, due."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
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
from incjournal.core.model import RENDERED, Kind
from incjournal.core.times import parse_duration, parse_time, to_rfc3339, utcnow

AUDIENCES = "responders, engineering, support, exec, public (or one of your own)."


AllowLintOpt = Annotated[
    bool, typer.Option("--allow-lint", help="Write or record it despite public-lint findings.")
]


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
    allow_lint: AllowLintOpt = False,
    incident: IncidentOpt = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Open with what changed since then (default: last update)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The brief as it stood then: entries recorded by T."),
    ] = None,
) -> None:
    """The incident's status summary for one audience, as Markdown; it opens with what changed
    since that audience's last `ij update` (or since --since).

    A public-facing brief with public-lint findings is printed with them on stderr (exit 1) and
    is not written without --allow-lint.

    With --as-of T it is the brief as it would have been at T, from the entries recorded by then.

    Example: ij brief --for exec --since 10:30
    """
    from incjournal.publiclint import refusal
    from incjournal.render import briefs

    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    state = journal_mod.load_state(journal, incident_id)
    now = utcnow()
    if as_of is not None:
        if write:
            raise BadValue("--as-of shows a past brief; it cannot be written: drop --write")
        now = parse_time(as_of, journal.config.tz, now)
        state = state.known_at(now)
    findings = briefs.check_brief(journal, state, audience)
    if write and findings and not allow_lint:
        raise refusal(f"brief for {audience}", findings)
    if write:
        from incjournal.written_briefs import write_brief

        written = write_brief(journal, state, audience)
        rel = written.path.relative_to(journal.root)
        commit = f" (commit {written.commit[:7]})" if written.commit else ""
        typer.echo(f"wrote {rel}{commit}" if written.changed else f"{rel} is already current")
        _warn(written.warnings)
    else:
        since_at = parse_time(since, journal.config.tz, now) if since else None
        text = briefs.render_brief(journal, state, audience, now, since_at)
        known = journal.config.audiences.get(audience)
        emit_markdown(text, raw=markdown, public=known is not None and known.public)
    _warn([f"public lint: {f}" for f in findings])
    _warn(briefs.advice(state, journal.config, audience))
    if findings and not write:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _warn(lines: Sequence[str]) -> None:
    for line in lines:
        typer.echo(f"ij: warning: {line}", err=True)


@entry_command("update")
def update(
    audience: Annotated[str, typer.Argument(help=f"Who got the update: {AUDIENCES}")],
    text: Annotated[
        str | None,
        typer.Argument(
            help="What was sent (default: the brief as of --at, else now); '-' reads stdin."
        ),
    ] = None,
    next_in: Annotated[
        str | None,
        typer.Option("--next", help="When the next update is due, e.g. 30m (default: cadence)."),
    ] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Record that an update went out to AUDIENCE; restarts its cadence clock.

    TEXT is that audience's message: it leads the audience's next brief. An update to a
    public-facing audience is public and must pass the public lint (or --allow-lint).

    Example: ij update exec "Rollback done; checkout recovering. Next update 11:30." --next 30m
    """
    from incjournal.publiclint import refusal
    from incjournal.render import briefs

    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    public = briefs.check_audience(journal.config, audience).public
    now = utcnow()
    sent = parse_time(opts.at, journal.config.tz, now) if opts.at else now
    next_at = sent + parse_duration(next_in) if next_in else None
    fields: dict[str, Any] = {"audience": audience, "next_at": next_at}
    if text is None:  # the brief as it stood when sent: linted by what it publishes
        state = journal_mod.load_state(journal, incident_id)
        state = state.known_at(sent) if opts.at else state
        body = briefs.render_brief(journal, state, audience, sent)
        findings = briefs.check_brief(journal, state, audience)
        if findings and not opts.allow_lint:
            raise refusal(f"update to {audience}", findings)
        fields["extra"] = {RENDERED: True}
        _warn([f"public lint: {f}" for f in findings])
    else:
        body = read_text(text, "update")
    draft = opts.draft(Kind.UPDATE, body, **fields)
    if public:  # what a public-facing audience was told is public by nature
        draft = dataclasses.replace(draft, public=True)
    print_written(journal_mod.record(journal, incident_id, draft), f"update to {audience}:")


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
    from incjournal.render.due import due_line, due_view

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
