"""What the commands do to a journal: init, open, and the one write path for every entry.

`record()` is the only way an entry reaches disk and git: lock, atomic entry file, derived files,
one commit of exactly those paths (plus any entry whose commit was left pending earlier).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from incjournal.commits import (
    commit_or_defer,
    pending,
    resolve_author,
    write_derived,
    write_if_changed,
)
from incjournal.core import config as config_mod
from incjournal.core.errors import BadValue, CorruptFile
from incjournal.core.fold import IncidentState
from incjournal.core.model import CLOSES, PUBLIC, Entry, IncidentMeta, Kind, entry_to_dict
from incjournal.core.times import machine_zone_name, parse_time, utcnow
from incjournal.git import commit as gitlog
from incjournal.store import cache
from incjournal.store.journal import (
    META,
    Journal,
    atomic_write,
    find_git_dir,
    incident_id_for,
    new_id,
    read_entry,
    slugify,
)
from incjournal.store.lock import writer_lock
from incjournal.write_checks import check_backdate, check_text, public_check, refuse_newer

if TYPE_CHECKING:
    pass

_INVISIBLE = re.compile(
    r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+"
)  # a text of these says nothing


@dataclass(frozen=True)
class WriteResult:
    entry: Entry
    incident_id: str
    path: Path
    commit: str | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """What a command wants to record; `record()` turns it into an Entry."""

    kind: Kind
    text: str = ""
    at: str | None = None
    by: str | None = None
    tags: Sequence[str] = ()
    public: bool = False
    allow_secret: bool = False
    fields: Mapping[str, Any] = field(default_factory=dict)
    allow_lint: bool = False


def init(directory: Path, by: str | None = None) -> tuple[Journal, bool]:
    """Make `directory` a journal; returns (journal, created). Never overwrites anything."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    if find_git_dir(root) is None:
        gitlog.init_repo(root)
    journal = Journal(root)
    cfg = root / config_mod.FILENAME
    if cfg.exists():
        return journal, False
    author = resolve_author(journal, by)
    atomic_write(cfg, config_mod.default_text(machine_zone_name()).encode())
    from incjournal.store.journal import write_attributes

    paths = [config_mod.FILENAME, *write_attributes(root)]
    with writer_lock(journal.state_dir, "init"):
        message = "journal: init\n\nCreated by incjournal.\n"
        gitlog.commit_paths(root, journal.git_dir, paths, message, author, utcnow())
    return journal, True


def open_incident(
    journal: Journal,
    title: str,
    *,
    severity: int | None,
    at: str | None,
    slug: str | None,
    ic: str | None,
    by: str | None,
) -> WriteResult:
    title = title.strip()
    if not title:
        raise BadValue("empty title: say what is wrong, e.g. ij open 'Checkout errors in EU'")
    refuse_newer(journal)
    cfg = journal.config
    if severity is not None and severity not in cfg.severities:
        raise BadValue(f"invalid severity {severity}: use one of {_levels(journal)}")
    now = utcnow()
    when = parse_time(at, cfg.tz, now) if at else now
    incident_id = incident_id_for(when, slug or slugify(title))
    if journal.incident_dir(incident_id).exists():
        raise BadValue(f"incident {incident_id} already exists: pass --id to choose another id")
    author = resolve_author(journal, by)
    meta = IncidentMeta(incident_id, title, when, str(author))
    meta_bytes = tomli_w.dumps(meta.to_dict()).encode()
    draft = Draft(Kind.OPEN, title, at, by, fields={"level": severity, "person": ic})
    result = record(journal, incident_id, draft, extra={META: meta_bytes})
    journal.set_current(incident_id)
    return result


def _levels(journal: Journal) -> str:
    return ", ".join(str(level) for level in journal.config.severities)


def build_entry(journal: Journal, draft: Draft, author: gitlog.Identity) -> Entry:
    now = utcnow()
    text = draft.text.strip("\n")
    too_long(len(text.encode()), journal.config.text_limit, "the text")
    if "\x00" in text:
        raise BadValue("the text holds a NUL byte (binary data?): keep a file with ij attach FILE")
    if not _INVISIBLE.sub("", text) and draft.kind in TEXT_REQUIRED:
        raise BadValue(
            f"empty text: say what to record, e.g. ij {_verb(draft.kind)} 'what happened'"
        )
    when = parse_time(draft.at, journal.config.tz, now) if draft.at else now
    fields = {k: v for k, v in draft.fields.items() if v is not None}
    return Entry(
        id=new_id(),
        kind=draft.kind,
        at=when,
        recorded_at=now,
        author=str(author),
        text=text,
        visibility=PUBLIC if draft.public else "internal",
        tags=tuple(draft.tags),
        **fields,
    )


TEXT_REQUIRED = frozenset(
    {
        Kind.NOTE,
        Kind.DECISION,
        Kind.RISK,
        Kind.QUESTION,
        Kind.ANSWER,
        Kind.HYPOTHESIS,
        Kind.ACTION,
        Kind.IMPACT,
        Kind.AMEND,
        Kind.OPEN,
        Kind.UPDATE,
    }
)
_VERBS = {
    Kind.DECISION: "decide",
    Kind.QUESTION: "ask",
    Kind.SEVERITY: "sev",
    Kind.MILESTONE: "mark",
    Kind.COMMAND: "exec",
    Kind.EVIDENCE: "attach",
}


def too_long(size: int, limit: int, what: str) -> None:
    """Refuse a text over the journal's limit (`[entries] max_text`), saying both sizes."""
    if size > limit:
        raise BadValue(
            f"{what} is {size:,} bytes, over the {limit:,} an entry takes ([entries] max_text):"
            " keep it as a file with ij attach"
        )


def _verb(kind: Kind) -> str:
    return _VERBS.get(kind, str(kind))


def record(
    journal: Journal,
    incident_id: str,
    draft: Draft,
    extra: Mapping[str, bytes] | None = None,
) -> WriteResult:
    """Write one entry (and `extra` files, relative to the incident folder) and commit it."""
    refuse_newer(journal, incident_id)
    author = resolve_author(journal, draft.by)
    entry = build_entry(journal, _in_stream(journal, incident_id, draft), author)
    check_backdate(journal, incident_id, draft.at, entry)
    check_text(journal, entry, draft.allow_secret)
    lint_notes = public_check(journal, incident_id, entry, draft.allow_lint)
    folder = journal.incident_dir(incident_id)
    path = journal.entry_path(incident_id, entry)
    data = tomli_w.dumps(entry_to_dict(entry)).encode()
    from incjournal.repair import write_guard

    with (
        writer_lock(journal.state_dir, f"{draft.kind} in {incident_id}"),
        write_guard(journal),
        contextlib.ExitStack() as stack,
    ):
        # the write path's cache is checked before the folder changes, and answers when asked
        head = stack.enter_context(cache.head_before_write(journal, incident_id, path.name))
        written = [folder / name for name in (extra or {})] + [path]
        notes: list[str] = []
        try:
            for name, content in (extra or {}).items():
                atomic_write(folder / name, content)
            atomic_write(path, data)
            derived, notes = _rebuild_derived(journal, incident_id, head(), path, written)
            written += derived
        except CorruptFile as exc:  # what was typed is still saved; the page waits for a fix
            notes.append(f"incident page not rebuilt: {exc}")
        except OSError:  # e.g. a full disk: nothing of this write stays behind (exit 2)
            for made in written:
                made.unlink(missing_ok=True)
            raise
        message = gitlog.commit_message(incident_id, str(entry.kind), entry.headline, entry.id)
        commit, warnings = commit_or_defer(journal, written, message, author, entry.recorded_at)
    if commit and journal.config.sync_auto:
        from incjournal.sync_request import after_write

        warnings += after_write(journal)
    return WriteResult(entry, incident_id, path, commit, tuple(lint_notes + notes + warnings))


def _in_stream(journal: Journal, incident_id: str, draft: Draft) -> Draft:
    """The draft with its workstream settled (`-s NAME`, else this clone's current stream)."""
    from incjournal.current_stream import settle

    named = draft.fields.get("stream")
    stream = settle(journal, incident_id, draft.kind, named)
    if stream == named:
        return draft
    return dataclasses.replace(draft, fields={**draft.fields, "stream": stream})


def _rebuild_derived(
    journal: Journal, incident_id: str, head: cache.Head | None, new: Path, written: list[Path]
) -> tuple[list[Path], list[str]]:
    """The derived files rebuilt after `new` was written, and what to say of the user's own
    uncommitted edits (left out of the pages, or kept)."""
    from incjournal import hand_edits

    ours = [*written, *(journal.root / rel for rel in pending(journal))]
    edits = hand_edits.find(journal, incident_id, ours)
    return write_derived(journal, incident_id, head, new, edits), edits.warnings(journal.root)


def write_files(
    journal: Journal, incident_id: str, files: Mapping[str, bytes], what: str
) -> tuple[list[Path], str | None, list[str]]:
    """Write files (relative to the incident folder) with no entry, and commit those that changed.

    For derived files a user asks for explicitly (`ij brief --write`); returns (changed paths,
    commit, warnings). Nothing changed: no commit.
    """
    refuse_newer(journal, incident_id)
    author = resolve_author(journal, None)
    folder = journal.incident_dir(incident_id)
    with writer_lock(journal.state_dir, f"{what} in {incident_id}"):
        changed = [
            folder / name for name, data in files.items() if write_if_changed(folder / name, data)
        ]
        if not changed:
            return [], None, []
        message = f"{incident_id}: {what}\n\nIncident: {incident_id}\n"
        commit, warnings = commit_or_defer(journal, changed, message, author, utcnow())
    return changed, commit, warnings


def load_state(journal: Journal, incident_id: str) -> IncidentState:
    """The incident's folded state (through the per-clone cache, checked against the files)."""
    return cache.load_state(journal, incident_id)


def referenced(journal: Journal, incident_id: str, prefix: str, kind: Kind | None = None) -> Entry:
    """The entry `prefix` refers to; for a closing kind, it must be open and of the closed kind."""
    entry = read_entry(journal.resolve_entry(incident_id, prefix))
    if kind is None or kind not in CLOSES:
        return entry
    targets = CLOSES[kind]
    if entry.kind not in targets:
        wanted = " or ".join(str(t) for t in targets)
        raise BadValue(
            f"entry {entry.id} is a {entry.kind}, not a {wanted}: "
            f"`ij {_verb(kind)}` closes a {wanted}"
        )
    state = load_state(journal, incident_id)
    items = [
        i
        for name in ("questions", "hypotheses", "risks", "actions")
        for i in getattr(state, name)
        if i.entry.id == entry.id
    ]
    if items and items[0].closed_by is not None:
        closer = items[0].closed_by
        raise BadValue(f"{entry.kind} {entry.id} is already closed ({closer.kind} {closer.id})")
    return entry
