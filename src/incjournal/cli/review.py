"""Hand-off, review, stats, export and import: carrying an incident across shifts and learning."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import (
    ByOpt,
    IncidentOpt,
    JsonOpt,
    emit_json,
    emit_markdown,
    is_tty,
    open_journal,
)
from incjournal.cli.terminal import raw_stdout
from incjournal.core.controls import visible
from incjournal.core.errors import BadValue
from incjournal.core.times import parse_time, utcnow

if TYPE_CHECKING:
    from incjournal.stats import Group

MarkdownOpt = Annotated[bool, typer.Option("--markdown", help="Raw Markdown, even on a terminal.")]
FORMATS = ("json", "markdown")


@app.command()
def handoff(
    to: Annotated[
        str | None, typer.Option("--to", help="The incoming IC; records the hand-off.")
    ] = None,
    incident: IncidentOpt = None,
    by: ByOpt = None,
    markdown: MarkdownOpt = False,
) -> None:
    """Brief for an incoming incident commander; with --to, also record the hand-off.

    Example: ij handoff --to "Dana Kim"
    """
    from incjournal.render.handoff import handoff_markdown

    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    if to is not None:
        from incjournal.handoff_review import hand_off

        result = hand_off(journal, incident_id, to, by)
        commit = f" (commit {result.commit[:7]})" if result.commit else ""
        who = result.entry.person
        typer.echo(f"handed off: ic is now {who}, entry {result.entry.id}{commit}", err=True)
        for warning in result.warnings:
            typer.echo(f"ij: warning: {warning}", err=True)
    state = journal_mod.load_state(journal, incident_id)
    emit_markdown(
        handoff_markdown(state, journal.config, utcnow(), journal.review_written(state.id)),
        raw=markdown,
    )


@app.command()
def review(
    incident: IncidentOpt = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write review.md in the incident folder and commit it.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --write: replace an existing review.md.")
    ] = False,
    by: ByOpt = None,
    markdown: MarkdownOpt = False,
) -> None:
    """Post-incident review draft: timeline, decisions as they looked then, follow-ups.

    Example: ij review --write
    """
    from incjournal.render.review import review_markdown
    from incjournal.store.renders import rendered

    if force and not write:
        raise BadValue("--force only applies with --write: ij review --write --force")
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    config = journal.config
    inputs = f"{config!r} {config.tz!r}"  # the zone too: "local" is the machine's
    text = rendered(journal, incident_id, "review", inputs, lambda s: review_markdown(s, config))
    if not write:
        emit_markdown(text, raw=markdown)
        return
    from incjournal.handoff_review import write_review

    done = write_review(journal, incident_id, text, force=force, by=by)
    commit = f" (commit {done.commit[:7]})" if done.commit else ""
    verb = "replaced" if done.replaced else "wrote"
    typer.echo(f"{verb} {done.path.relative_to(journal.root)}{commit}")
    for warning in done.warnings:
        typer.echo(f"ij: warning: {warning}", err=True)


@app.command()
def stats(
    since: Annotated[
        str | None, typer.Option("--since", help="Only incidents opened then or later.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Per peak severity (the worst each incident reached): incidents, open ones, median and p90
    TTD / TTM / TTR.

    Example: ij stats --since 2026-01-01
    """
    from incjournal import stats as stats_mod

    journal = open_journal()
    since_at = parse_time(since, journal.config.tz, utcnow()) if since else None
    groups = stats_mod.by_severity(stats_mod.collect(journal, since_at))
    if as_json:
        emit_json(stats_mod.stats_json(groups, since_at))
    elif is_tty():
        _rich_stats(groups)
    else:
        typer.echo(stats_mod.plain_table(groups))


def _rich_stats(groups: list[Group]) -> None:
    from rich.console import Console
    from rich.table import Table

    from incjournal import stats as stats_mod

    table = Table(
        title="Incidents by severity", caption="median / p90 since impact start; — = not known"
    )
    for n, header in enumerate(stats_mod.COMPACT_HEADERS):
        table.add_column(header, justify="left" if n == 0 else "right", no_wrap=True)
    for row in stats_mod.compact_rows(groups):
        table.add_row(*map(visible, row))
    Console(file=raw_stdout()).print(table)


@app.command()
def export(
    incident: IncidentOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="json (default) or markdown.")] = "json",
) -> None:
    """The whole incident: entries, folded state, metrics (JSON schema_version 1, or Markdown).

    Example: ij export --format json > incident.json
    """
    from incjournal import export as export_mod

    chosen = fmt.strip().lower()
    if chosen not in FORMATS:
        raise BadValue(f"invalid format {fmt!r}: use json or markdown")
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    now = utcnow()
    if chosen == "json":
        typer.echo(export_mod.dumps(export_mod.export_data(journal, incident_id, now)), nl=False)
        return
    state = journal_mod.load_state(journal, incident_id)
    typer.echo(export_mod.export_markdown(state, journal.config, now), nl=False)


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="JSON files written by `ij export`.")],
    by: ByOpt = None,
) -> None:
    """Rebuild incidents from `ij export` JSON files; never overwrites an existing incident.

    Example: ij import 2026-11-23-checkout.json
    """
    from incjournal.export import import_files

    journal = open_journal()
    for done in import_files(journal, files, by):
        commit = f" (commit {done.commit[:7]})" if done.commit else ""
        typer.echo(f"imported {done.incident_id}: {done.entries} entries{commit}")
        for warning in done.warnings:
            typer.echo(f"ij: warning: {warning}", err=True)
