"""Hand-off, review, stats, export and import: carrying an incident across shifts and learning."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli import app
from incjournal.cli.common import (
    ByOpt,
    IncidentOpt,
    JsonOpt,
    TableFormatOpt,
    emit_json,
    emit_markdown,
    is_tty,
    open_journal,
    table_format,
)
from incjournal.cli.terminal import raw_stdout
from incjournal.core.controls import visible
from incjournal.core.errors import BadValue
from incjournal.core.times import parse_time, utcnow

if TYPE_CHECKING:
    from incjournal.stats import Group
    from incjournal.trends import Month

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
    by: Annotated[
        str | None,
        typer.Option("--by", help="severity or month (default: both; CSV: severity)."),
    ] = None,
    as_json: JsonOpt = False,
    fmt: TableFormatOpt = "table",
) -> None:
    """Per peak severity (the worst each incident reached): incidents, open ones, median and p90
    TTD / TTM / TTR; then per month (in the journal's zone, by the month each incident opened):
    incidents per peak severity and the mean TTD / TTM / TTR (MTTD, MTTM, MTTR).

    Example: ij stats --since 2026-01-01

    Example: ij stats --by month --format csv > trends.csv
    """
    from incjournal import stats as stats_mod
    from incjournal import trends

    chosen = table_format(fmt, as_json)
    if by not in (None, "severity", "month"):
        raise BadValue(f"unknown --by {by!r}: use severity or month")
    journal = open_journal()
    since_at = parse_time(since, journal.config.tz, utcnow()) if since else None
    incidents = stats_mod.collect(journal, since_at)
    groups = stats_mod.by_severity(incidents)
    months = trends.by_month(incidents, journal.config.tz)
    if as_json:
        emit_json(
            {**stats_mod.stats_json(groups, since_at), "months": [m.to_json() for m in months]}
        )
    elif chosen == "csv":
        _stats_csv(groups, months, by)
    else:
        shown = (groups if by != "month" else None, months if by != "severity" else None)
        _stats_tables(*shown, rich=is_tty())


def _stats_csv(groups: list[Group], months: list[Month], by: str | None) -> None:
    from incjournal import stats as stats_mod
    from incjournal import trends
    from incjournal.tables import to_csv

    if by == "month":
        text = to_csv(trends.csv_headers(months), trends.csv_rows(months))
    else:
        text = to_csv(stats_mod.CSV_HEADERS, stats_mod.csv_rows(groups))
    typer.echo(text, nl=False)


def _stats_tables(groups: list[Group] | None, months: list[Month] | None, *, rich: bool) -> None:
    """The tables asked for: rich on a terminal, aligned columns for a pipe."""
    from incjournal import stats as stats_mod
    from incjournal import trends
    from incjournal.tables import aligned

    tables = []
    if groups is not None:
        caption = "median / p90 since impact start; — = not known"
        cells = stats_mod.compact_rows(groups) if rich else stats_mod.rows(groups)
        heads = stats_mod.COMPACT_HEADERS if rich else stats_mod.HEADERS
        tables.append(("Incidents by severity", caption, heads, cells))
    if months:
        caption = "incidents by the month they opened; mean since impact start; — = not known"
        tables.append(("By month", caption, trends.headers(months), trends.rows(months)))
    for n, (title, caption, heads, cells) in enumerate(tables):
        if rich:
            _rich_table(title, caption, heads, cells)
        else:
            typer.echo(("\n" if n else "") + aligned(heads, cells))


def _rich_table(
    title: str, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, caption=caption)
    for n, header in enumerate(headers):
        table.add_column(header, justify="left" if n == 0 else "right", no_wrap=True)
    for row in rows:
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
