"""Evidence commands: exec (run a command and record it) and attach (store a file)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from incjournal.cli import app
from incjournal.cli.common import (
    ByOpt,
    EntryOptions,
    IncidentOpt,
    entry_command,
    open_journal,
    print_written,
)
from incjournal.core.errors import BadValue
from incjournal.core.model import Kind

if TYPE_CHECKING:
    from incjournal.command_run import CommandRun
    from incjournal.write import WriteResult

CommandArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="CMD ARGS",
        help="The command and its arguments, run without a shell (write `sh -c '...'` for one).",
    ),
]
TagOpt = Annotated[list[str] | None, typer.Option("-t", "--tag", help="A tag; repeatable.")]
AllowSecretOpt = Annotated[
    bool,
    typer.Option("--allow-secret", help="Keep argv and output as they are: do not redact."),
]


# ij's own options come before CMD; everything from CMD on belongs to the command.
@app.command("exec", context_settings={"allow_interspersed_args": False})
def exec_command(
    command: CommandArg = None,
    incident: IncidentOpt = None,
    by: ByOpt = None,
    tag: TagOpt = None,
    allow_secret: AllowSecretOpt = False,
) -> None:
    """Run a command with its output shown live, and record it: argv, directory, exit code,
    duration and the last lines of output (likely secrets redacted). Exits with the command's
    exit code. Options for ij go before the command; `--` ends them.

    Example: ij exec -t db -- kubectl -n shop get pods -o wide
    """
    from incjournal import evidence  # subprocess plumbing: loaded only when a command runs
    from incjournal.command_run import run_command

    if not command:
        raise BadValue("missing command: e.g. ij exec -- kubectl -n shop get pods")
    journal = open_journal()
    incident_id = journal.resolve_incident(incident)
    limits = evidence.check_ready(journal, by)
    run = run_command(command, limits, sys.stdout.buffer, sys.stderr.buffer)
    opts = EntryOptions(incident_id, None, by, tag or [], False, allow_secret)
    result, findings = evidence.record_command(journal, incident_id, run, opts.draft(Kind.COMMAND))
    _report_command(run, result, findings)
    raise typer.Exit(run.shell_status)


def _report_command(run: CommandRun, result: WriteResult, findings: Sequence[Any]) -> None:
    """On stderr, so that the command's stdout stays its own in a pipe."""
    commit = f" (commit {result.commit[:7]})" if result.commit else ""
    where = f"command {result.entry.id} in {result.incident_id}{commit}"
    if run.error is not None:
        typer.echo(
            f"ij: cannot run {run.argv[0]}: {run.error}; recorded as exit {run.exit_code}: {where}",
            err=True,
        )
    else:
        typer.echo(f"ij: recorded {where}: {run.status}{_kept(run)}", err=True)
    _report_redacted(findings, "argv and output")
    for warning in result.warnings:
        typer.echo(f"ij: warning: {warning}", err=True)


def _kept(run: CommandRun) -> str:
    if not run.truncated:
        return ""
    from incjournal.render.evidence import human_size

    lines = run.output.count("\n") + (not run.output.endswith("\n"))
    return f"; printed {human_size(run.output_bytes)}, kept the last {lines} lines"


def _report_redacted(findings: Sequence[Any], where: str) -> None:
    if not findings:
        return
    kinds = ", ".join(dict.fromkeys(f.kind for f in findings))
    count = len(findings)
    noun = "secret" if count == 1 else "secrets"
    typer.echo(f"ij: redacted {count} likely {noun} in the stored {where} ({kinds})", err=True)


FileArg = Annotated[str, typer.Argument(metavar="FILE", help="The file to store; '-' reads stdin.")]
NoteArg = Annotated[str | None, typer.Argument(metavar="TEXT", help="What it is (optional).")]
NameOpt = Annotated[
    str | None, typer.Option("--name", help="Name to store it under (default: the file's name).")
]


@entry_command("attach")
def attach(
    file: FileArg, text: NoteArg = None, name: NameOpt = None, *, opts: EntryOptions
) -> None:
    """Store a file as evidence next to the incident, linked from an entry (size-limited; likely
    secrets in text files are redacted).

    Example: kubectl logs deploy/checkout | ij attach - "logs at 10:40" --name checkout.log
    """
    from incjournal import evidence

    if opts.public:
        raise BadValue(
            "evidence is never public: say what the public may read with ij note --public"
        )
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    limit = evidence.attach_limit(journal.config)
    if file == "-":
        if sys.stdin.isatty():
            raise BadValue("nothing piped to stdin: e.g. kubectl logs pod/x | ij attach - 'logs'")
        data = evidence.read_stream(sys.stdin.buffer, limit)
    else:
        data = evidence.read_file(Path(file), limit)
    stored_as = name or (None if file == "-" else file)
    item = evidence.prepare_attachment(
        stored_as, data, journal.config, allow_secret=opts.allow_secret
    )
    result = evidence.record_attachment(
        journal, incident_id, item, opts.draft(Kind.EVIDENCE, text or "")
    )
    print_written(result, "attached")
    if item.warning:
        typer.echo(f"ij: warning: {item.warning}", err=True)
    _report_redacted(item.findings, "file")
