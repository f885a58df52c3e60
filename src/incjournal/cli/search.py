"""`ij search`: find entries by their words, in one incident or all of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from incjournal.cli import app, complete
from incjournal.cli.common import IncidentOpt, JsonOpt, emit_json, is_tty, open_journal
from incjournal.core.controls import visible
from incjournal.core.errors import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from incjournal.search import Hit
    from incjournal.store.journal import Journal

HIGHLIGHT = "bold black on yellow"


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Text to find (case-insensitive, not a pattern).")],
    all_incidents: Annotated[
        bool, typer.Option("--all", "-a", help="Search every incident, not just the current one.")
    ] = False,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only this kind; repeatable.", autocompletion=complete.kinds),
    ] = None,
    incident: IncidentOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Entries whose text, reason, owner, tags, command or output contain QUERY.

    Hits are highlighted on a terminal and marked **like this** when piped. Exit code 1 when
    nothing matches, as grep does.

    Example: ij search "pool" --all --kind hypothesis
    """
    from incjournal.cli.views import _kind
    from incjournal.search import search as find

    journal = open_journal()
    ids = journal.incident_ids() if all_incidents else [journal.resolve_incident(incident)]
    hits = find(journal, query, ids, [_kind(k) for k in kind or []])
    if as_json:
        from incjournal.search import hit_json

        emit_json([hit_json(h) for h in hits])
    elif hits:
        _print(journal, hits, all_incidents)
    if not hits:
        if not as_json:
            typer.echo(f"no entries match {query!r}", err=True)
        raise typer.Exit(int(ExitCode.CHECK_FAILED))


def _print(journal: Journal, hits: list[Hit], with_incident: bool) -> None:
    from incjournal.core.times import show
    from incjournal.search import marked, snippet

    tz = journal.config.tz
    console = _console()
    for hit in hits:
        entry = hit.entry
        where = f"{hit.incident_id}  " if with_incident else ""
        field = "" if hit.first.name == "text" else f"[{hit.first.name}] "
        head = f"{where}{show(entry.at, tz)}  {entry.id[:6]}  {entry.kind:<10} {field}"
        text, spans = snippet(hit.first, max(20, 120 - len(head)))
        if console is None:
            typer.echo(f"{head}{marked(text, spans)}")
        else:
            from rich.text import Text

            line = Text()
            line.append(visible(head), style="dim")
            line.append(visible(text))  # one character for one: the spans stay in place
            for a, b in spans:
                line.stylize(HIGHLIGHT, len(head) + a, len(head) + b)
            console.print(line, soft_wrap=True)


def _console() -> Console | None:
    if not is_tty():
        return None
    from rich.console import Console

    from incjournal.cli.terminal import raw_stdout

    return Console(file=raw_stdout(), highlight=False)
