"""What the commands share: option types, reading TEXT like `git commit`, printing results."""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from incjournal import write as journal_mod
from incjournal.cli import app, complete
from incjournal.core.config import TEXT_MAX
from incjournal.core.errors import BadValue, IncJournalError
from incjournal.core.model import Entry
from incjournal.store.journal import Journal

IncidentOpt = Annotated[
    str | None,
    typer.Option(
        "-i",
        "--incident",
        help="Incident id (default: the current one).",
        autocompletion=complete.incident_ids,
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option("--at", help="When it happened: 10:42, 15m ago, -15m or ISO 8601 (default: now)."),
]
TableFormatOpt = Annotated[
    str, typer.Option("--format", help="table (default), or csv for a spreadsheet.")
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Author 'Name <email>' (default: INCJOURNAL_AUTHOR, git)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
StreamOpt = Annotated[
    str | None,
    typer.Option(
        "-s",
        "--stream",
        help="The workstream it belongs to (default: `ij stream use`'s; '-' for none).",
    ),
]
TextArg = Annotated[
    str | None,
    typer.Argument(help="The text; '-' reads stdin; omitted on a terminal opens $EDITOR."),
]


# (command name, -i value) of the entry command running now: names the editor template
_RUNNING: ContextVar[tuple[str, str | None]] = ContextVar("ij_running", default=("", None))


@dataclass(frozen=True)
class EntryOptions:
    incident: str | None
    at: str | None
    by: str | None
    tag: list[str]
    public: bool
    allow_secret: bool
    stream: str | None = None
    allow_lint: bool = False

    def draft(self, kind: Any, text: str = "", **fields: Any) -> journal_mod.Draft:
        return journal_mod.Draft(
            kind,
            text,
            self.at,
            self.by,
            tuple(self.tag or ()),
            self.public,
            self.allow_secret,
            {**fields, "stream": self.stream} if self.stream else fields,
            self.allow_lint,
        )


_COMMON = [
    inspect.Parameter(
        "incident", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=IncidentOpt
    ),
    inspect.Parameter("at", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=AtOpt),
    inspect.Parameter("by", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ByOpt),
    inspect.Parameter(
        "tag",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            list[str] | None, typer.Option("-t", "--tag", help="A tag; repeatable.")
        ],
    ),
    inspect.Parameter(
        "public",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, typer.Option("--public", help="May appear in public-facing updates.")
        ],
    ),
    inspect.Parameter(
        "allow_secret",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool, typer.Option("--allow-secret", help="Record text the secret scan flags.")
        ],
    ),
    inspect.Parameter(
        "stream",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=StreamOpt,
    ),
    inspect.Parameter(
        "allow_lint",
        inspect.Parameter.KEYWORD_ONLY,
        default=False,
        annotation=Annotated[
            bool,
            typer.Option("--allow-lint", help="Record public text the public lint flags."),
        ],
    ),
]


def entry_command(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register an entry command; it receives the shared options as `opts: EntryOptions`."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        own = [
            p for p in inspect.signature(fn, eval_str=True).parameters.values() if p.name != "opts"
        ]
        params = own + _COMMON

        @functools.wraps(fn)
        def command(**kwargs: Any) -> None:
            common = {p.name: kwargs.pop(p.name) for p in _COMMON}
            token = _RUNNING.set((name, common["incident"]))
            try:
                fn(opts=EntryOptions(**common), **kwargs)
            finally:
                _RUNNING.reset(token)

        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        app.command(name)(command)
        return fn

    return register


def open_journal() -> Journal:
    return Journal.find()


def read_text(text: str | None, what: str = "text") -> str:
    """TEXT as given; '-' or piped stdin reads stdin; omitted on a terminal opens the editor."""
    if text == "-" or (text is None and not sys.stdin.isatty()):
        return read_stdin()
    if text is None:
        from incjournal.cli.editor import edit_text

        return edit_text(what, _about())
    return text


def read_stdin() -> str:
    """All of stdin as text, kept intact (UTF-8; anything else is a clear error), read no further
    than the journal's text limit: a huge stream is refused, not loaded."""
    try:
        limit = open_journal().config.text_limit
    except IncJournalError:  # not in a journal: the command says so after reading
        limit = TEXT_MAX
    stream = getattr(sys.stdin, "buffer", None)
    data = bytes(stream.read(limit + 1)) if stream is not None else sys.stdin.read().encode()
    if len(data) > limit:
        raise BadValue(
            f"stdin holds more than {limit:,} bytes, the most an entry takes ([entries] max_text):"
            " keep it as a file with ij attach -"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadValue("stdin is not UTF-8 text: store binary output with `ij attach -`") from None


def _about() -> list[str]:
    """Where the text goes, for the editor template (the incident is resolved before editing)."""
    command, incident = _RUNNING.get()
    if not command:
        return []
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    title = " ".join(journal.read_meta(incident_id).title.split())
    return [f"Incident: {incident_id} — {title}", f"Command:  ij {command}"]


def print_written(result: journal_mod.WriteResult, verb: str) -> None:
    commit = f" (commit {result.commit[:7]})" if result.commit else ""
    typer.echo(f"{verb} {result.entry.id} in {result.incident_id}{commit}")
    for line in time_lines(result.entry):
        typer.echo(f"  {line}")
    for warning in result.warnings:
        typer.echo(f"ij: warning: {warning}", err=True)


def time_lines(entry: Entry) -> list[str]:
    """The times of a write that are not "now", as they were understood: 'at 2026-12-02 09:00
    UTC, yesterday', 'due 2026-12-03 16:00 UTC, tomorrow' (in the journal's zone)."""
    from datetime import timedelta

    from incjournal.core.times import resolved

    backdated = abs(entry.at - entry.recorded_at) > timedelta(seconds=1)
    if not backdated and entry.due is None:
        return []
    tz, now = open_journal().config.tz, entry.recorded_at
    lines = [f"at {resolved(entry.at, tz, now)}"] if backdated else []
    return lines + ([f"due {resolved(entry.due, tz, now)}"] if entry.due is not None else [])


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def is_tty() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def emit_markdown(text: str, raw: bool = False, *, public: bool = False) -> None:
    """Markdown rendered with rich on a terminal, raw when piped or asked for. A render that left
    out an entry file it could not read says so at its end (not a public one: the warning on
    stderr tells whoever runs it)."""
    from incjournal.cli import unreadable_so_far
    from incjournal.render.text import left_out

    skipped = unreadable_so_far()
    if skipped and not public:
        text = text.rstrip("\n") + "\n\n" + left_out(len(skipped))
    if raw or not is_tty():
        typer.echo(text, nl=not text.endswith("\n"))
        return
    from rich.console import Console
    from rich.markdown import Markdown

    from incjournal.cli.terminal import raw_stdout
    from incjournal.core.controls import visible

    Console(file=raw_stdout()).print(Markdown(visible(text)))


def need(value: str | None, what: str, example: str) -> str:
    if value is None or not value.strip():
        raise BadValue(f"missing {what}: e.g. {example}")
    return value


def table_format(value: str, as_json: bool = False) -> str:
    """`--format` of a view that is a table: "table" or "csv" (not both csv and --json)."""
    chosen = value.strip().lower()
    if chosen not in ("table", "csv"):
        raise BadValue(f"unknown format {value!r}: use table or csv")
    if chosen == "csv" and as_json:
        raise BadValue("--json and --format csv exclude each other: give one of them")
    return chosen
