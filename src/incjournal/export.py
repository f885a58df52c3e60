"""`ij export` / `ij import`: a whole incident as one versioned JSON document, and back.

The JSON (schema_version 1) holds the creation facts, every entry in its on-disk shape, the
attachments (evidence files and a written review.md, base64), and, for readers, the folded state
and the metrics. Import uses only `incident`, `entries` and `files`: it rebuilds identical entry
files in a journal that does not have the incident yet, rebuilds the derived files, and makes one
commit per incident. See docs/sections/review.md for the schema.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import tomli_w

from incjournal import __version__
from incjournal.commits import commit_or_defer, resolve_author, write_derived
from incjournal.core.config import Config
from incjournal.core.errors import BadValue, IncJournalError, NewerFormat
from incjournal.core.fold import IncidentState
from incjournal.core.model import (
    FORMAT,
    KNOWN_EXTRA,
    Entry,
    IncidentMeta,
    Kind,
    entry_from_dict,
    entry_to_dict,
    newer_format,
)
from incjournal.core.times import show, to_rfc3339, utcnow
from incjournal.render.evidence import command_summary
from incjournal.render.labels import when, zone_name
from incjournal.render.metrics import impact_rows, impact_summary, milestone_rows, open_for
from incjournal.render.text import inline, quoted
from incjournal.rows import state_json
from incjournal.store.journal import (
    META,
    REVIEW,
    Journal,
    atomic_write,
    check_slug,
    entry_filename,
    plain_id,
)
from incjournal.store.lock import writer_lock
from incjournal.write import load_state
from incjournal.write_checks import refuse_newer

SCHEMA_VERSION = 1
_ATTACHMENT = re.compile(r"^evidence/[A-Za-z0-9][A-Za-z0-9._-]*$")


def export_data(journal: Journal, incident_id: str, now: datetime) -> dict[str, Any]:
    """The whole incident as a JSON-ready dict (`schema_version` 1)."""
    state = load_state(journal, incident_id)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"incjournal {__version__}",
        "exported_at": to_rfc3339(now),
        "incident": state.meta.to_dict(),
        "entries": [
            entry_to_dict(e) for e in sorted(journal.read_entries(incident_id), key=Entry.sort_key)
        ],
        "files": _attachments(journal, incident_id),
        "state": state_json(state, journal.config, now),
        "metrics": metrics_json(state),
    }


def metrics_json(state: IncidentState) -> dict[str, Any]:
    ms = state.milestones
    return {
        **{k: _when(getattr(ms, k)) for k in ("started", "detected", "mitigated", "resolved")},
        "explicit": sorted(ms.explicit),
        "reopened": state.reopened,
        **{f"{k}_s": _seconds(getattr(ms, k)) for k in ("ttd", "ttm", "ttr")},
    }


def _when(value: datetime | None) -> str | None:
    return to_rfc3339(value) if value is not None else None


def _seconds(value: Any) -> int | None:
    return round(value.total_seconds()) if value is not None else None


def _attachments(journal: Journal, incident_id: str) -> dict[str, dict[str, str]]:
    folder = journal.incident_dir(incident_id)
    paths = sorted(p for p in (folder / "evidence").glob("*") if p.is_file())
    if (folder / REVIEW).is_file():
        paths.append(folder / REVIEW)
    return {
        p.relative_to(folder).as_posix(): {"base64": base64.b64encode(p.read_bytes()).decode()}
        for p in paths
    }


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):  # a TOML date-time in an unknown key of an entry
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def export_markdown(state: IncidentState, config: Config, now: datetime) -> str:
    """The whole incident for people: facts, milestones and every entry as written."""
    tz = config.tz
    lines = [
        f"# {inline(state.title)}",
        "",
        f"_Export of incident `{state.id}` by incjournal {__version__}, {show(now, tz)}. "
        f"Every entry as written, corrections included; times in {zone_name(tz, now)}._",
        "",
        f"Status **{state.status}**"
        + (f", SEV{state.severity}" if state.severity is not None else "")
        + f"; opened {show(state.meta.opened_at, tz)} by {inline(state.meta.opened_by)}.",
        "",
        *milestone_rows(state, tz),
        "",
        f"The incident was {open_for(state, now)}; {impact_summary(state, tz, now)}.",
        "",
        *impact_rows(state, tz, now),
        "",
        f"## Entries ({len(state.entries)})",
    ]
    for entry in state.entries:
        lines += ["", *_entry_md(state, state.originals.get(entry.id, entry), tz)]
    return "\n".join(lines) + "\n"


_FIELDS = ("why", "owner", "due", "state", "level", "role", "person", "audience", "milestone")


def _entry_md(state: IncidentState, entry: Entry, tz: tzinfo) -> list[str]:
    notes = [inline(entry.author), entry.visibility]
    if entry.id in state.amendments:
        notes.append("amended later")
    if entry.id in state.struck:
        notes.append("struck later")
    if entry.ref:
        notes.append(f"refers to `{entry.ref}`")
    out = [f"### {when(entry.at, tz)} · {entry.kind} · `{entry.id}`", "", " · ".join(notes)]
    for name in _FIELDS:
        value = getattr(entry, name)
        if value is not None:
            shown = when(value, tz) if isinstance(value, datetime) else inline(str(value))
            out.append(f"- {name}: {shown}")
    if entry.tags:
        out.append(f"- tags: {', '.join(inline(t) for t in entry.tags)}")
    if entry.kind is Kind.COMMAND:
        out += ["", command_summary(entry)]
    elif entry.text.strip():
        out += ["", quoted(entry.text).strip()]
    return out


# import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """A validated export, ready to be written."""

    source: str
    meta: IncidentMeta
    entries: tuple[Entry, ...]
    files: Mapping[str, bytes]


@dataclass(frozen=True)
class Imported:
    incident_id: str
    entries: int
    commit: str | None
    warnings: tuple[str, ...]


def import_files(journal: Journal, paths: Sequence[Path], by: str | None) -> list[Imported]:
    """Import every file, each one incident, one commit each; nothing is written unless all
    files are valid and none of their incidents exists yet."""
    refuse_newer(journal)
    incoming = [read_export(path) for path in paths]
    ids = [i.meta.id for i in incoming]
    for item in incoming:
        if ids.count(item.meta.id) > 1:
            raise BadValue(f"{item.source}: incident {item.meta.id} is given more than once")
        if journal.incident_dir(item.meta.id).exists():
            raise BadValue(
                f"{item.source}: incident {item.meta.id} already exists in this journal; "
                "import never overwrites an incident"
            )
    author = resolve_author(journal, by)
    return [_write(journal, item, author) for item in incoming]


def read_export(path: Path) -> Incoming:
    """Parse and validate one export file; BadValue names the file and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadValue(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadValue(f"{path}: not an incjournal JSON export ({exc})") from None
    if not isinstance(data, dict):
        raise BadValue(f"{path}: not an incjournal JSON export (expected an object)")
    return parse_export(data, str(path))


def parse_export(data: Mapping[str, Any], source: str) -> Incoming:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BadValue(f"{source}: no schema_version: not an incjournal JSON export")
    if version > SCHEMA_VERSION:
        raise BadValue(
            f"{source}: schema_version {version} is newer than this incjournal reads "
            f"({SCHEMA_VERSION}): upgrade incjournal"
        )
    _known_keys(data, _TOP_KEYS, source, "")
    _known_keys(data.get("incident") or {}, _META_KEYS, source, "incident: ")
    try:
        meta = IncidentMeta.from_dict(data.get("incident") or {})
        check_slug(meta.id)
    except ValueError as exc:
        raise BadValue(f"{source}: incident: {exc}") from None
    except IncJournalError as exc:  # an id that is not one plain path component
        raise BadValue(f"{source}: {exc}") from None
    if meta.format > FORMAT:
        raise NewerFormat(f"{source}: incident: {newer_format(meta.format)}")
    return Incoming(source, meta, _entries(data.get("entries"), source), _files(data, source))


# what an export holds; `state`, `metrics` and the rest are written for readers, rebuilt on import
_TOP_KEYS = frozenset(
    {
        "schema_version",
        "generator",
        "exported_at",
        "incident",
        "entries",
        "files",
        "state",
        "metrics",
    }
)
_META_KEYS = frozenset({"format", "id", "title", "opened_at", "opened_by"})


def _known_keys(data: Any, known: frozenset[str], source: str, where: str) -> None:
    """Refuse a key this incjournal does not know: an import drops nothing silently."""
    unknown = sorted(set(data) - known) if isinstance(data, Mapping) else []
    if unknown:
        raise BadValue(
            f"{source}: {where}unknown key {unknown[0]!r}: this incjournal does not know it "
            "(an export from a newer version? upgrade)"
        )


def _entries(raw: Any, source: str) -> tuple[Entry, ...]:
    if not isinstance(raw, list):
        raise BadValue(f"{source}: 'entries' must be a list")
    entries = []
    for n, item in enumerate(raw, 1):
        try:
            if not isinstance(item, dict):
                raise ValueError("not an object")
            entry = entry_from_dict(item)
        except ValueError as exc:
            raise BadValue(f"{source}: entry {n}: {exc}") from None
        if entry.extra.get("format", FORMAT) != FORMAT:
            raise NewerFormat(f"{source}: entry {n}: {newer_format(entry.extra['format'])}")
        problem = plain_id(entry.id, "entry id")
        if problem is not None:
            raise BadValue(f"{source}: entry {n}: {problem}")
        unknown = sorted(set(entry.extra) - KNOWN_EXTRA)
        if unknown:  # kept when read from a file, but an import drops nothing silently
            raise BadValue(
                f"{source}: entry {n}: unknown key {unknown[0]!r}: this incjournal "
                "does not know it (an export from a newer version? upgrade)"
            )
        entries.append(entry)
    names = [entry_filename(e) for e in entries]
    if len(set(names)) != len(names) or len({e.id for e in entries}) != len(entries):
        raise BadValue(f"{source}: two entries have the same id")
    return tuple(entries)


def _files(data: Mapping[str, Any], source: str) -> dict[str, bytes]:
    raw = data.get("files") or {}
    if not isinstance(raw, dict):
        raise BadValue(f"{source}: 'files' must be an object")
    out = {}
    for name, spec in raw.items():
        if not (name == REVIEW or _ATTACHMENT.match(name)):
            raise BadValue(f"{source}: file {name!r} is not evidence/NAME or review.md")
        try:
            out[name] = base64.b64decode(spec["base64"], validate=True)
        except (TypeError, KeyError, ValueError):
            raise BadValue(f"{source}: file {name!r} has no valid base64 content") from None
    return out


def _write(journal: Journal, item: Incoming, author: Any) -> Imported:
    folder = journal.incident_dir(item.meta.id)
    with writer_lock(journal.state_dir, f"import of {item.meta.id}"):
        try:
            written = _write_files(journal, item)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # it did not exist before: leave nothing
            raise
        message = (
            f"{item.meta.id}: import: {len(item.entries)} entries\n\nIncident: {item.meta.id}\n"
        )
        commit, warnings = commit_or_defer(journal, written, message, author, utcnow())
    return Imported(item.meta.id, len(item.entries), commit, tuple(warnings))


def _write_files(journal: Journal, item: Incoming) -> list[Path]:
    folder = journal.incident_dir(item.meta.id)
    written = [folder / META]
    atomic_write(folder / META, tomli_w.dumps(item.meta.to_dict()).encode())
    for entry in item.entries:
        path = journal.entry_path(item.meta.id, entry)
        atomic_write(path, tomli_w.dumps(entry_to_dict(entry)).encode())
        written.append(path)
    for name, data in item.files.items():
        atomic_write(folder / name, data)
        written.append(folder / name)
    return written + write_derived(journal, item.meta.id)
