"""Audience briefs and the update cadence: brief, update, due."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

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
from incjournal.core.model import RENDERED, Entry, Kind
from incjournal.core.times import parse_duration, parse_time, to_rfc3339, utcnow

if TYPE_CHECKING:
    from incjournal.core.config import Config
    from incjournal.core.fold import IncidentState
    from incjournal.post import Target
    from incjournal.store.journal import Journal

AUDIENCES = "responders, engineering, support, exec, public (or one of your own)."


AllowLintOpt = Annotated[
    bool, typer.Option("--allow-lint", help="Write or record it despite public-lint findings.")
]


BRIEF_FORMATS = ("markdown", "slack", "text", "json", "statuspage")


AudienceOpt = Annotated[str, typer.Option("--for", help=f"The audience: {AUDIENCES}")]
WriteOpt = Annotated[
    bool, typer.Option("--write", help="Write and commit status/AUDIENCE.md; kept current after.")
]
RawOpt = Annotated[bool, typer.Option("--markdown", help="Raw Markdown on a TTY.")]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Open with what changed since then (default: last update)."),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="The brief as it stood then: entries recorded by T.")
]
BriefFormatOpt = Annotated[
    str, typer.Option("--format", help="markdown, slack, text, json; statuspage for public.")
]


@app.command()
def brief(
    audience: AudienceOpt = "responders",
    write: WriteOpt = False,
    markdown: RawOpt = False,
    allow_lint: AllowLintOpt = False,
    incident: IncidentOpt = None,
    since: SinceOpt = None,
    as_of: AsOfOpt = None,
    fmt: BriefFormatOpt = "markdown",
) -> None:
    """The incident's status summary for one audience, as Markdown; it opens with what changed
    since that audience's last `ij update` (or since --since).

    A public-facing brief with public-lint findings is printed with them on stderr (exit 1) and
    is not written without --allow-lint.

    With --as-of T it is the brief as it would have been at T, from the entries recorded by then.
    With --format: Slack's mrkdwn, plain text, JSON, or (public) a Statuspage incident.

    Example: ij brief --for exec --since 10:30

    Example: ij brief --for public --format statuspage
    """
    from incjournal.render import briefs

    journal = open_journal()
    public = briefs.check_audience(journal.config, audience).public
    if as_of is not None and write:
        raise BadValue("--as-of shows a past brief; it cannot be written: drop --write")
    chosen = _brief_format(fmt, public, write)
    incident_id = journal.resolve_incident(incident)
    state = journal_mod.load_state(journal, incident_id)
    now = parse_time(as_of, journal.config.tz, utcnow()) if as_of else utcnow()
    state = state.known_at(now) if as_of else state
    findings = briefs.check_brief(journal, state, audience)
    if write:
        _write_brief(journal, state, audience, findings, allow_lint)
    elif chosen == "statuspage":
        emit_json(_statuspage(state, journal.config, audience, now))
    else:
        since_at = parse_time(since, journal.config.tz, now) if since else None
        text = briefs.render_brief(journal, state, audience, now, since_at)
        _emit_brief(text, chosen, audience, state, raw=markdown, public=public, now=now)
    _warn([f"public lint: {f}" for f in findings])
    _warn(briefs.advice(state, journal.config, audience))
    if findings and not write:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _brief_format(fmt: str, public: bool, write: bool) -> str:
    chosen = fmt.strip().lower()
    if chosen not in BRIEF_FORMATS:
        raise BadValue(f"unknown format {fmt!r}: use one of {', '.join(BRIEF_FORMATS)}")
    if chosen == "statuspage" and not public:
        raise BadValue("--format statuspage is for a public-facing audience: ij brief --for public")
    if write and chosen != "markdown":
        raise BadValue(f"--write keeps the Markdown brief; --format {chosen} is for printing")
    return chosen


def _write_brief(
    journal: Journal, state: IncidentState, audience: str, findings: Sequence[Any], allow: bool
) -> None:
    from incjournal.publiclint import refusal
    from incjournal.written_briefs import write_brief

    if findings and not allow:
        raise refusal(f"brief for {audience}", findings)
    written = write_brief(journal, state, audience)
    rel = written.path.relative_to(journal.root)
    commit = f" (commit {written.commit[:7]})" if written.commit else ""
    typer.echo(f"wrote {rel}{commit}" if written.changed else f"{rel} is already current")
    _warn(written.warnings)


def _emit_brief(
    text: str,
    chosen: str,
    audience: str,
    state: IncidentState,
    *,
    raw: bool,
    public: bool,
    now: datetime,
) -> None:
    """The brief in the chosen format: Markdown (rich on a terminal), or made for elsewhere."""
    from incjournal.render import chat

    if chosen == "markdown":
        emit_markdown(text, raw=raw, public=public)
    elif chosen == "slack":
        typer.echo(chat.slack_mrkdwn(text))
    elif chosen == "text":
        typer.echo(chat.plain_text(text))
    else:
        title = chat.title_of(text)
        plain = chat.plain_text(text)
        emit_json(
            {"incident": state.id, "audience": audience, "title": title,
             "generated_at": to_rfc3339(now), "markdown": text, "text": plain}
        )  # fmt: skip


def _statuspage(
    state: IncidentState, config: Config, audience: str, now: datetime
) -> dict[str, Any]:
    """The Statuspage incident from the public brief's own facts: its title, its status, its
    latest message (never anything internal)."""
    from incjournal.render import chat
    from incjournal.render.public import public_context

    told = public_context(state, config, audience, now)
    message = told.sent or told.latest
    body = message.text if message else told.status_text
    return chat.statuspage_payload(told.headline, told.status, state.severity, body)


def _warn(lines: Sequence[str]) -> None:
    for line in lines:
        typer.echo(f"ij: warning: {line}", err=True)


PostOpt = Annotated[
    bool,
    typer.Option("--post", help="Also send it to the audience's chat (post = ... in the config)."),
]


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
    post: PostOpt = False,
    *,
    opts: EntryOptions,
) -> None:
    """Record that an update went out to AUDIENCE; restarts its cadence clock.

    TEXT is that audience's message: it leads its next brief. A public-facing audience's is
    public and must pass the public lint (or --allow-lint). --post also sends it to their chat.

    Example: ij update exec "Rollback done; checkout recovering. Next update 11:30." --next 30m

    Example: ij update public --post
    """
    from incjournal.render import briefs

    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    public = briefs.check_audience(journal.config, audience).public
    chat = _chat(journal, audience) if post else None  # checked before anything is written
    now = utcnow()
    sent = parse_time(opts.at, journal.config.tz, now) if opts.at else now
    fields: dict[str, Any] = {"audience": audience}
    fields["next_at"] = sent + parse_duration(next_in) if next_in else None
    if text is None:  # the brief as it stood when sent: linted by what it publishes
        state = journal_mod.load_state(journal, incident_id)
        then = state.known_at(sent) if opts.at else state
        body = _sent_brief(journal, then, audience, sent, opts)
        fields["extra"] = {RENDERED: True}
    else:
        body = read_text(text, "update")
    draft = opts.draft(Kind.UPDATE, body, **fields)
    if public:  # what a public-facing audience was told is public by nature
        draft = dataclasses.replace(draft, public=True)
    result = journal_mod.record(journal, incident_id, draft)
    print_written(result, f"update to {audience}:")
    if chat is not None:
        _post(journal, incident_id, result.entry, *chat)


def _sent_brief(
    journal: Journal, state: IncidentState, audience: str, sent: datetime, opts: EntryOptions
) -> str:
    """The brief as it stood at `sent`; refused when a public-facing one has lint findings."""
    from incjournal.publiclint import refusal
    from incjournal.render import briefs

    body = briefs.render_brief(journal, state, audience, sent)
    findings = briefs.check_brief(journal, state, audience)
    if findings and not opts.allow_lint:
        raise refusal(f"update to {audience}", findings)
    _warn([f"public lint: {f}" for f in findings])
    return body


def _chat(journal: Journal, audience: str) -> tuple[Target, str]:
    """Where `audience` posts, and the webhook URL from the environment (checked up front)."""
    from incjournal import post

    chosen = post.target(journal.config, audience)
    return chosen, post.webhook_url(chosen)


def _post(journal: Journal, incident_id: str, entry: Entry, chosen: Target, url: str) -> None:
    """Send the recorded update; PostFailed (exit 1) says why it did not go out."""
    from incjournal import post
    from incjournal.render.chat import title_of, without_title
    from incjournal.render.sent import is_rendered

    audience = entry.audience or ""
    public = journal.config.audiences[audience].public
    state = journal_mod.load_state(journal, incident_id)

    if is_rendered(entry):
        title, markdown = title_of(entry.text), without_title(entry.text)
    else:
        title, markdown = _update_title(journal, state, audience, public), entry.text
    facts = {"audience": audience, "at": to_rfc3339(entry.at), "status": state.status}
    if not public:
        facts["incident"] = state.id
    try:
        post.send(
            url, post.payloads(chosen.kind, post.Message(title, markdown, facts)), chosen.timeout
        )
    except post.PostFailed as exc:
        raise post.PostFailed(
            f"{exc}; the update is recorded: send it another way (ij brief --for {audience} "
            f"--format text), or strike it with ij strike {entry.id[:6]}"
        ) from None
    typer.echo(f"posted to {audience} ({chosen.kind})")


def _update_title(journal: Journal, state: IncidentState, audience: str, public: bool) -> str:
    """What the chat shows above the text: a public-facing audience sees its own headline."""
    if public:
        from incjournal.render.public import public_context

        return public_context(state, journal.config, audience, utcnow()).headline
    level = f"SEV{state.severity} · " if state.severity is not None else ""
    return f"{level}{state.meta.title}: update to {audience}"


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
