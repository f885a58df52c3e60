"""Action items across incidents: `ij actions` lists them, `ij link` records an issue or ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app, complete
from incjournal.cli.common import (
    EntryOptions,
    IncidentOpt,
    JsonOpt,
    emit_json,
    entry_command,
    open_journal,
    print_written,
)
from incjournal.core.errors import BadValue
from incjournal.core.model import Kind
from incjournal.core.times import utcnow

if TYPE_CHECKING:
    from incjournal.store.journal import Journal

FORMATS = ("table", "csv", "gh")
ActionArg = Annotated[
    str,
    typer.Argument(
        help="The action's id or a unique prefix of 3+ characters.",
        autocompletion=complete.entry_ids,
    ),
]


@app.command()
def actions(
    all_incidents: Annotated[
        bool, typer.Option("--all", "-a", help="Every incident, not just the current one.")
    ] = False,
    only_open: Annotated[bool, typer.Option("--open", help="Only actions still open.")] = False,
    only_done: Annotated[bool, typer.Option("--done", help="Only actions done.")] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open ones past due.")] = False,
    follow_up: Annotated[
        bool, typer.Option("--follow-up", help="Only post-incident follow-ups.")
    ] = False,
    incident: IncidentOpt = None,
    as_json: JsonOpt = False,
    output: Annotated[
        str, typer.Option("--format", help="table, csv, or gh (`gh issue create` commands).")
    ] = "table",
) -> None:
    """Action items with incident, owner, due, age and state; follow-ups stay open after their
    incident resolves, until `ij done`.

    Example: ij actions --all --follow-up --open --format gh | sh
    """
    from incjournal import followups
    from incjournal.tables import aligned, to_csv

    if only_open and only_done:
        raise BadValue("--open and --done exclude each other: give one of them, or neither")
    if output not in FORMATS:
        raise BadValue(f"unknown format {output!r}: use one of {', '.join(FORMATS)}")
    journal = open_journal()
    ids = journal.incident_ids() if all_incidents else [journal.resolve_incident(incident)]
    state = "open" if only_open else "done" if only_done else None
    selection = followups.Selection(state, owner, overdue, follow_up)
    now = utcnow()
    rows = followups.collect(journal, ids, selection, now)
    if as_json:
        emit_json([row.to_json(now) for row in rows])
    elif output == "csv":
        typer.echo(to_csv(followups.CSV_HEADERS, followups.csv_rows(rows, now)), nl=False)
    elif output == "gh":
        dirs = {i: _page_path(journal, i) for i in {row.incident for row in rows}}
        typer.echo(followups.gh_script(rows, journal.config, dirs), nl=False)
    elif rows:
        headers = ("incident", "id", "state", "owner", "due", "age", "action", "links")
        typer.echo(aligned(headers, followups.table_rows(rows, now, journal.config.tz)))
    else:
        typer.echo("no actions match", err=True)


def _page_path(journal: Journal, incident_id: str) -> str:
    """The incident page's path in the journal (what GitHub shows for the folder)."""
    return (journal.incident_dir(incident_id) / "README.md").relative_to(journal.root).as_posix()


@entry_command("link")
def link(
    ref: ActionArg,
    url: Annotated[str, typer.Argument(help="The issue or ticket: an http(s) URL.")],
    *,
    opts: EntryOptions,
) -> None:
    """Record an external reference (an issue, a ticket) for an action; shown wherever the
    action is.

    Example: ij link a9c https://github.com/acme/shop/issues/42
    """
    from incjournal.core.links import check_url

    address = check_url(url)
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    target = journal_mod.referenced(journal, incident_id, ref)
    if target.kind is not Kind.ACTION:
        raise BadValue(f"entry {target.id} is a {target.kind}, not an action: link an action")
    draft = opts.draft(Kind.LINK, address, ref=target.id)
    print_written(journal_mod.record(journal, incident_id, draft), "linked")
