"""Item commands: answer a question (again, if need be), and change an item's owner or due time.

An answered question still takes answers (each is kept); `ij assign` records a new owner or due
time for an open action, question or risk as an entry of its own.
"""

from __future__ import annotations

from typing import Annotated

import typer

from incjournal import write as journal_mod
from incjournal.cli.common import (
    EntryOptions,
    TextArg,
    entry_command,
    open_journal,
    print_written,
    read_text,
)
from incjournal.cli.entries import OwnerOpt, RefArg, due_time
from incjournal.core.errors import BadValue
from incjournal.core.fold import Item
from incjournal.core.model import Kind
from incjournal.core.times import show
from incjournal.render.labels import name_of
from incjournal.store.journal import Journal


@entry_command("answer")
def answer(ref: RefArg, text: TextArg = None, *, opts: EntryOptions) -> None:
    """Answer a question. A question already answered takes a further answer too: every answer
    is kept and shown (two people answering at once is worth seeing in the review).

    Example: ij answer 7qa "Yes: pool size went from 50 to 5"
    """
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    question = _open_item(journal, incident_id, ref, (Kind.QUESTION,), "answer", closed_ok=True)
    draft = opts.draft(Kind.ANSWER, read_text(text, "answer"), ref=question.entry.id)
    print_written(journal_mod.record(journal, incident_id, draft), "answered")
    if question.closed_by is not None:
        first = question.closed_by
        typer.echo(
            f"  question {question.entry.id} was already answered ({first.id} by "
            f"{name_of(first.author)}, {show(first.at, journal.config.tz)}): "
            "this answer is recorded too"
        )


def _open_item(
    journal: Journal,
    incident_id: str,
    ref: str,
    kinds: tuple[Kind, ...],
    verb: str,
    closed_ok: bool = False,
) -> Item:
    """The item `ref` raised, which must be of one of `kinds` (and open unless `closed_ok`)."""
    entry = journal_mod.referenced(journal, incident_id, ref)
    item = journal_mod.load_state(journal, incident_id).item(entry.id)
    named = [f"{'an' if str(k)[0] in 'aeiou' else 'a'} {k}" for k in kinds]
    wanted = " or ".join(named) if len(named) < 3 else f"{', '.join(named[:-1])} or {named[-1]}"
    if entry.kind not in kinds or item is None:
        raise BadValue(
            f"entry {entry.id} is a {entry.kind}, not {wanted}: `ij {verb}` takes {wanted}"
        )
    if item.closed_by is not None and not closed_ok:
        closer = item.closed_by
        raise BadValue(
            f"{entry.kind} {entry.id} is already closed ({closer.kind} {closer.id}): "
            f"nothing to {verb}"
        )
    return item


@entry_command("assign")
def assign(
    ref: RefArg,
    owner: OwnerOpt = None,
    due: Annotated[str | None, typer.Option("--due", help="Due: 16:00, +2h, ISO 8601.")] = None,
    *,
    opts: EntryOptions,
) -> None:
    """Give an open action, question or risk a new owner and/or due time. It is an entry, so
    the history keeps who changed what; views and nudges use the current owner and due time.

    Example: ij assign a9c --owner carol --due 16:00
    """
    if owner is not None and not owner.strip():
        raise BadValue("empty --owner: name who owns it, e.g. ij assign a9c --owner carol")
    if owner is None and due is None:
        raise BadValue(
            "nothing to change: give --owner P and/or --due T, e.g. ij assign a9c --owner carol"
        )
    journal = open_journal()
    incident_id = journal.resolve_incident(opts.incident)
    due_at = due_time(due, opts.at)
    kinds = (Kind.ACTION, Kind.QUESTION, Kind.RISK)
    item = _open_item(journal, incident_id, ref, kinds, "assign")
    fields = {"ref": item.entry.id, "owner": owner.strip() if owner else None, "due": due_at}
    print_written(
        journal_mod.record(journal, incident_id, opts.draft(Kind.ASSIGN, "", **fields)), "assigned"
    )
