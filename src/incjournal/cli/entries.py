"""Entry commands: note, decide, risk, ask, answer, hypothesis, action, status, sev, role, ...

Every one of them appends one entry file and makes one commit; nothing is ever edited in place.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from incjournal import write as journal_mod
from incjournal.cli import complete
from incjournal.cli.common import (
    EntryOptions,
    TextArg,
    entry_command,
    need,
    open_journal,
    print_written,
    read_text,
)
from incjournal.core.errors import BadValue
from incjournal.core.model import MILESTONES, Kind
from incjournal.core.times import parse_time, utcnow

RefArg = Annotated[
    str,
    typer.Argument(
        help="Entry id or a unique prefix of 3+ characters.", autocompletion=complete.entry_ids
    ),
]
OptText = Annotated[str | None, typer.Argument(help="Optional text; '-' reads stdin.")]
OwnerOpt = Annotated[str | None, typer.Option("--owner", help="Who owns it.")]


def _write(opts: EntryOptions, kind: Kind, text: str, verb: str, **fields: Any) -> None:
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    result = journal_mod.record(journal, incident_id, opts.draft(kind, text, **fields))
    print_written(result, verb)


def _close(opts: EntryOptions, kind: Kind, ref: str, text: str | None, verb: str) -> None:
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    target = journal_mod.referenced(journal, incident_id, ref, kind)
    body = read_text(text) if text is not None else ""
    draft = opts.draft(kind, body, ref=target.id)
    result = journal_mod.record(journal, incident_id, draft)
    print_written(result, verb)


@entry_command("note")
def note(text: TextArg = None, *, opts: EntryOptions) -> None:
    """Record what you saw or did.

    Example: ij note "p99 latency on checkout-db up to 4s since 10:40"
    """
    _write(opts, Kind.NOTE, read_text(text, "note"), "noted")


@entry_command("decide")
def decide(
    text: TextArg = None,
    why: Annotated[str | None, typer.Option("--why", help="The reason (required).")] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Record a decision and the reason for it, as it looked at the time.

    Example: ij decide "Roll back release 2026.11.3" --why "errors began with the deploy"
    """
    body = read_text(text, "decision")
    if not why and _interactive():
        why = typer.prompt("Why? (the reason, as it looks now)")
    _write(
        opts, Kind.DECISION, body, "decided", why=need(why, "--why", 'ij decide "..." --why "..."')
    )


@entry_command("risk")
def risk(
    text: TextArg = None,
    likelihood: Annotated[
        str | None, typer.Option("--likelihood", help="e.g. low/med/high.")
    ] = None,
    impact: Annotated[str | None, typer.Option("--impact", help="e.g. low/med/high.")] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Record a risk: something that could make things worse.

    Example: ij risk "Rollback may drop in-flight orders" --likelihood med --impact high
    """
    _write(opts, Kind.RISK, read_text(text, "risk"), "risk", likelihood=likelihood, impact=impact)


@entry_command("retire")
def retire(ref: RefArg, text: OptText = None, *, opts: EntryOptions) -> None:
    """Close a risk that no longer applies.

    Example: ij retire k3f "orders drained before rollback"
    """
    _close(opts, Kind.RETIRE, ref, text, "retired")


@entry_command("ask")
def ask(text: TextArg = None, owner: OwnerOpt = None, *, opts: EntryOptions) -> None:
    """Record an open question, optionally with who will find out.

    Example: ij ask "Did the 10:31 deploy touch the pool size?" --owner bob
    """
    _write(opts, Kind.QUESTION, read_text(text, "question"), "asked", owner=owner)


@entry_command("hypothesis")
def hypothesis(text: TextArg = None, *, opts: EntryOptions) -> None:
    """Record a hypothesis being investigated.

    Example: ij hypothesis "connection pool exhaustion after the deploy"
    """
    _write(opts, Kind.HYPOTHESIS, read_text(text, "hypothesis"), "hypothesis")


@entry_command("confirm")
def confirm(ref: RefArg, text: OptText = None, *, opts: EntryOptions) -> None:
    """Mark a hypothesis confirmed.

    Example: ij confirm h2x "pool metrics show 5/5 busy"
    """
    _close(opts, Kind.CONFIRM, ref, text, "confirmed")


@entry_command("rule-out")
def rule_out(ref: RefArg, text: OptText = None, *, opts: EntryOptions) -> None:
    """Mark a hypothesis ruled out.

    Example: ij rule-out h2x "DNS answers are correct from every zone"
    """
    _close(opts, Kind.RULE_OUT, ref, text, "ruled out")


@entry_command("action")
def action(
    text: TextArg = None,
    owner: OwnerOpt = None,
    due: Annotated[str | None, typer.Option("--due", help="Due: 16:00, +2h, ISO 8601.")] = None,
    follow_up: Annotated[
        bool, typer.Option("--follow-up", help="Post-incident work (goes to the review).")
    ] = False,
    *,
    opts: EntryOptions,
) -> None:
    """Record an action item, with owner and due time.

    Example: ij action "Add alert on pool saturation" --owner carol --follow-up
    """
    body = read_text(text, "action")
    due_at = due_time(due, opts.at)
    _write(opts, Kind.ACTION, body, "action", owner=owner, due=due_at, follow_up=follow_up)


def due_time(due: str | None, at: str | None = None) -> Any:
    """The due time as a person means it: `16:00` is the next 16:00 and `+2h` two hours after
    the entry's time (`--at`, else now), so an action written up later is due when it was."""
    if due is None:
        return None
    journal = open_journal()
    tz, now = journal.config.tz, utcnow()
    base = parse_time(at, tz, now) if at else now
    return parse_time(due, tz, base, future=True)


@entry_command("done")
def done(ref: RefArg, text: OptText = None, *, opts: EntryOptions) -> None:
    """Mark an action done.

    Example: ij done a9c "rolled back at 10:58"
    """
    _close(opts, Kind.DONE, ref, text, "done")


@entry_command("status")
def status(
    state: Annotated[str, typer.Argument(help="investigating, identified, monitoring, resolved.")],
    text: OptText = None,
    *,
    opts: EntryOptions,
) -> None:
    """Change the incident's status; monitoring marks it mitigated.

    Example: ij status monitoring "error rate back to baseline after rollback"
    """
    journal = open_journal()
    states = journal.config.statuses
    chosen = state.strip().lower()
    if chosen not in states:
        raise BadValue(f"invalid status {state!r}: use one of {', '.join(states)}")
    body = read_text(text) if text is not None else ""
    _write(opts, Kind.STATUS, body, "status", state=chosen)


@entry_command("sev")
def sev(
    level: Annotated[str, typer.Argument(help="Severity level, e.g. 1 (worst).")],
    why: Annotated[str | None, typer.Option("--why", help="Why it changed.")] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Change the incident's severity.

    Example: ij sev 1 --why "all EU checkouts failing"
    """
    journal = open_journal()
    levels = journal.config.severities
    number = level.strip().lower().removeprefix("sev")
    if not number.isdigit() or int(number) not in levels:
        raise BadValue(f"invalid severity {level!r}: use one of {', '.join(map(str, levels))}")
    state = journal_mod.load_state(journal, journal.resolve_incident(opts.incident))
    if state.severity == int(number):  # not an error, and nothing to record
        typer.echo(f"severity is already SEV{int(number)}: nothing recorded")
        return
    _write(opts, Kind.SEVERITY, "", "severity", level=int(number), why=why)


@entry_command("role")
def role(
    name: Annotated[str, typer.Argument(metavar="ROLE", help="ic, comms, scribe, ops.")],
    person: Annotated[str, typer.Argument(help="Who takes the role.")],
    *,
    opts: EntryOptions,
) -> None:
    """Assign a role; a new incident commander is a hand-off.

    Example: ij role ic dana
    """
    roles = open_journal().config.roles
    chosen = name.strip().lower()
    if chosen not in roles:
        raise BadValue(f"invalid role {name!r}: use one of {', '.join(roles)}")
    _write(
        opts, Kind.ROLE, "", "role", role=chosen, person=need(person, "PERSON", "ij role ic dana")
    )


@entry_command("mark")
def mark(
    milestone: Annotated[str, typer.Argument(help="started, detected, mitigated or resolved.")],
    text: OptText = None,
    window: Annotated[
        int | None,
        typer.Option(
            "--window",
            help="The customer-impact window a started/mitigated mark corrects (default 1); "
            "one past the last adds a window found later.",
        ),
    ] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Set a milestone explicitly (impact often began before anyone noticed).

    `started` and `mitigated` are the start and end of customer impact; with `--window N` they
    correct the Nth impact window (a relapse), or add one (N = one past the last).

    Example: ij mark started --at 09:52

    Example: ij mark mitigated --window 2 --at 11:05
    """
    chosen = milestone.strip().lower()
    if chosen not in MILESTONES:
        raise BadValue(f"invalid milestone {milestone!r}: use one of {', '.join(MILESTONES)}")
    if window is not None:
        _check_window(opts, chosen, window)
    body = read_text(text) if text is not None else ""
    _write(opts, Kind.MILESTONE, body, "marked", milestone=chosen, window=window)


def _check_window(opts: EntryOptions, milestone: str, window: int) -> None:
    """A window mark must name an impact window that exists (a start may add the next one)."""
    if milestone not in ("started", "mitigated"):
        raise BadValue(f"--window goes with `started` or `mitigated`, not {milestone!r}")
    journal = open_journal()
    state = journal_mod.load_state(journal, journal.resolve_incident(opts.incident))
    count = len(state.impact_windows)
    last = count + 1 if milestone == "started" else count
    if not 1 <= window <= last:
        raise BadValue(
            f"no impact window {window}: this incident has {count} "
            f"(`ij mark started --window {count + 1} --at T` adds one)"
        )


@entry_command("impact")
def impact(text: TextArg = None, *, opts: EntryOptions) -> None:
    """State the current customer impact; the latest statement is the current one.

    Example: ij impact "About 30% of EU checkouts fail; retries usually succeed" --public
    """
    _write(opts, Kind.IMPACT, read_text(text, "impact statement"), "impact")


@entry_command("amend")
def amend(ref: RefArg, text: TextArg = None, *, opts: EntryOptions) -> None:
    """Correct an entry's text; the original stays in the history and the review.

    Example: ij amend 4kd "p99 was 2.4s, not 4s"
    """
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    target = journal_mod.referenced(journal, incident_id, ref)
    draft = opts.draft(Kind.AMEND, read_text(text, "corrected text"), ref=target.id)
    print_written(journal_mod.record(journal, incident_id, draft), "amended")


@entry_command("strike")
def strike(
    ref: RefArg,
    why: Annotated[str | None, typer.Option("--why", help="Why it is struck (required).")] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Strike an entry from the current view; the review still shows it.

    Example: ij strike 4kd --why "wrong incident"
    """
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    target = journal_mod.referenced(journal, incident_id, ref)
    reason = need(why, "--why", 'ij strike ID --why "wrong incident"')
    draft = opts.draft(Kind.STRIKE, "", ref=target.id, why=reason)
    print_written(journal_mod.record(journal, incident_id, draft), "struck")


def _interactive() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()
