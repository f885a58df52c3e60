"""The records of a journal: frozen dataclasses, kinds and fields, and their TOML shape.

An entry file is written once and never rewritten; `FORMAT` lets files written today be read
after the schema grows (unknown keys are kept in `extra` and written back unchanged on export).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from incjournal.core.times import from_rfc3339, to_rfc3339

FORMAT = 1


class Kind(StrEnum):
    OPEN = "open"
    NOTE = "note"
    DECISION = "decision"
    RISK = "risk"
    RETIRE = "retire"
    QUESTION = "question"
    ANSWER = "answer"
    HYPOTHESIS = "hypothesis"
    CONFIRM = "confirm"
    RULE_OUT = "rule-out"
    ACTION = "action"
    DONE = "done"
    STATUS = "status"
    SEVERITY = "severity"
    ROLE = "role"
    MILESTONE = "milestone"
    IMPACT = "impact"
    UPDATE = "update"
    COMMAND = "command"
    EVIDENCE = "evidence"
    AMEND = "amend"
    STRIKE = "strike"
    SNOOZE = "snooze"
    STREAM = "stream"  # a workstream opened, given a lead, or closed (core/streams.py)
    LINK = "link"  # an external reference (issue, ticket) for an action: text = URL, ref = it
    ASSIGN = "assign"


# which kind a closing entry closes: answer closes a question, and so on
CLOSES: Mapping[Kind, tuple[Kind, ...]] = {
    Kind.ANSWER: (Kind.QUESTION,),
    Kind.RETIRE: (Kind.RISK,),
    Kind.CONFIRM: (Kind.HYPOTHESIS,),
    Kind.RULE_OUT: (Kind.HYPOTHESIS,),
    Kind.DONE: (Kind.ACTION,),
}

MILESTONES = ("started", "detected", "mitigated", "resolved")
PUBLIC = "public"
RENDERED = (
    "rendered"  # an update's text is the brief as rendered, not typed (a key beside the fields)
)
KNOWN_EXTRA = frozenset({RENDERED})  # keys of this version that are not Entry fields
INTERNAL = "internal"


@dataclass(frozen=True)
class Entry:
    """One journal entry. Kind-specific fields are None when they do not apply."""

    id: str
    kind: Kind
    at: datetime
    recorded_at: datetime
    author: str
    text: str = ""
    visibility: str = INTERNAL
    tags: tuple[str, ...] = ()
    why: str | None = None
    owner: str | None = None
    due: datetime | None = None
    ref: str | None = None
    state: str | None = None
    level: int | None = None
    role: str | None = None
    person: str | None = None
    audience: str | None = None
    milestone: str | None = None
    next_at: datetime | None = None
    likelihood: str | None = None
    impact: str | None = None
    follow_up: bool = False
    title: str | None = None
    command: tuple[str, ...] | None = None
    cwd: str | None = None
    exit_code: int | None = None
    duration_s: float | None = None
    output: str | None = None
    output_bytes: int | None = None
    interrupted: bool = False
    file: str | None = None
    nudge: str | None = None
    until: datetime | None = None
    stream: str | None = None  # the workstream the entry belongs to
    window: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return self.visibility == PUBLIC

    @property
    def first_line(self) -> str:
        return self.text.strip().splitlines()[0] if self.text.strip() else ""

    @property
    def headline(self) -> str:
        """One line saying what the entry recorded, for timelines and commit messages."""
        extras = {
            Kind.STATUS: f"→ {self.state}",
            Kind.SEVERITY: f"→ SEV{self.level}",
            Kind.ROLE: f"{self.role}: {self.person}",
            Kind.MILESTONE: f"{self.milestone}"
            + (f" (impact window {self.window})" if self.window else ""),
            Kind.UPDATE: f"to {self.audience}",
            Kind.AMEND: f"of {self.ref}",
            Kind.STRIKE: f"{self.ref}",
            Kind.SNOOZE: f"{self.nudge}",
            Kind.LINK: f"for {self.ref}",
            Kind.STREAM: f"{self.state} {self.stream}"
            + (f" (lead: {self.person})" if self.person else ""),
            Kind.ASSIGN: f"{self.ref}" + (f" → {self.owner}" if self.owner else ""),
        }
        parts = [extras.get(self.kind, ""), self.first_line]
        if self.why:
            parts.append(f"(why: {' '.join(self.why.split())})")
        return " ".join(p for p in parts if p)

    def sort_key(self) -> tuple[datetime, datetime, str]:
        return (self.at, self.recorded_at, self.id)


_TIME_FIELDS = frozenset({"at", "recorded_at", "due", "next_at", "until"})
_FIELDS = fields(Entry)  # once: fields() per call costs more than the rest of entry_to_dict
# each field's default (MISSING for the required ones); `extra` is not a field of the file
FIELD_DEFAULTS = {f.name: f.default for f in _FIELDS if f.name != "extra"}
_KNOWN = frozenset(FIELD_DEFAULTS) | {"format"}
_TYPES: Mapping[str, type | tuple[type, ...]] = {
    "id": str,
    "kind": str,
    "author": str,
    "text": str,
    "visibility": str,
    "why": str,
    "owner": str,
    "ref": str,
    "state": str,
    "level": int,
    "role": str,
    "person": str,
    "audience": str,
    "milestone": str,
    "likelihood": str,
    "impact": str,
    "follow_up": bool,
    "title": str,
    "cwd": str,
    "exit_code": int,
    "duration_s": (int, float),
    "output": str,
    "output_bytes": int,
    "interrupted": bool,
    "file": str,
    "nudge": str,
    "stream": str,
    "window": int,
}


# per field, worked out once (a timeline of 10,000 entries calls entry_to_dict 10,000 times):
# name, default, written even when default, is a time
_TO_DICT = tuple(
    (f.name, f.default, f.name in ("text", "visibility"), f.name in _TIME_FIELDS)
    for f in _FIELDS
    if f.name != "extra"
)


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """The TOML shape of an entry: defaults left out, times as UTC RFC 3339 strings."""
    out: dict[str, Any] = {"format": FORMAT}
    for name, default, always, is_time in _TO_DICT:
        value = getattr(entry, name)
        if value != default or always:
            out[name] = _file_value(value, is_time)
    out.update(entry.extra)
    return out


def _file_value(value: Any, is_time: bool) -> Any:
    """A field's value as the file holds it: times as UTC RFC 3339, tuples as lists, kinds as
    strings."""
    if is_time:
        return to_rfc3339(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return str(value)
    return value


def entry_json(entry: Entry) -> dict[str, Any]:
    """`entry_to_dict` without `format`, keys in no set order (for JSON written with sorted keys;
    JSON writes kinds as their text and tuples as lists by itself).

    Walks only the fields the entry holds: an entry read from its file holds just the fields the
    file gives, so a 10,000-entry timeline does a third of `entry_to_dict`'s work."""
    out: dict[str, Any] = {"text": entry.text, "visibility": entry.visibility}
    defaults = FIELD_DEFAULTS
    out.update((k, v) for k, v in vars(entry).items() if k != "extra" and v != defaults[k])
    for name in _TIME_FIELDS.intersection(out):
        out[name] = to_rfc3339(out[name])
    out.update(entry.extra)
    return out


def entry_from_dict(data: Mapping[str, Any]) -> Entry:
    """Build an Entry from its TOML shape; ValueError names the first bad key.

    One pass over the file's keys, each handled by what `_READERS` says of it (a cold read
    of a long incident does this 10,000 times)."""
    for key in ("id", "kind", "at", "recorded_at", "author"):
        if key not in data:
            raise ValueError(f"missing key {key!r}")
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        expected = _READERS.get(key)
        if expected is None:
            extra[key] = value
        elif expected is _TIME:
            kwargs[key] = _time(key, value)
        elif expected is _STRINGS:
            kwargs[key] = _strings(key, value)
        elif expected is _FORMAT:
            if value != FORMAT:  # kept: a newer entry is read where possible, never rewritten
                extra[key] = value
        else:
            flag = value.__class__ is bool and expected is not bool  # True is an int to Python
            if flag or not isinstance(value, expected):
                _check_type(key, value)  # says what is wrong
            kwargs[key] = value
    kind = _KINDS.get(kwargs["kind"])
    if kind is None:
        written_in = data.get("format")
        newer = isinstance(written_in, int) and written_in > FORMAT
        upgrade = f": {newer_format(written_in)}" if newer else ""
        raise ValueError(f"unknown kind {data['kind']!r}{upgrade}")
    kwargs["kind"] = kind
    if kwargs.get("visibility", INTERNAL) not in (INTERNAL, PUBLIC):
        raise ValueError(f"visibility must be 'internal' or 'public', not {data['visibility']!r}")
    kwargs["extra"] = extra
    return _build(kwargs)


def newer_format(written_in: object) -> str:
    """What to say of a file a newer incjournal wrote (read where possible, never written to)."""
    return (
        f"written by a newer incjournal (format {written_in}); upgrade incjournal "
        "(pip install -U incjournal) to write to it"
    )


_TIME, _STRINGS, _FORMAT = object(), object(), object()  # how `entry_from_dict` reads a key
_READERS: dict[str, Any] = {
    **{key: _TYPES.get(key, object) for key in FIELD_DEFAULTS},
    **dict.fromkeys(_TIME_FIELDS, _TIME),
    "tags": _STRINGS,
    "command": _STRINGS,
    "format": _FORMAT,
}
_KINDS = {kind.value: kind for kind in Kind}


def _build(fields: dict[str, Any]) -> Entry:
    """`Entry(**fields)` without the frozen dataclass's 34 `object.__setattr__` calls (8x faster:
    a tenth of reading 10,000 entries). `fields` holds the required fields, `extra` and the
    fields the file gives; the entry keeps just those, the others read the defaults a dataclass
    holds on its class (attribute access, ==, repr and `dataclasses.replace` all see them). So a
    parsed entry pickles lean, a third of its fields, by pickle's own C code."""
    entry: Entry = object.__new__(Entry)
    object.__setattr__(entry, "__dict__", fields)
    return entry


def _time(key: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{key!r} has no time zone")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{key!r} must be an RFC 3339 time string")
    try:
        return from_rfc3339(value)
    except ValueError as exc:
        raise ValueError(f"{key!r} is not an RFC 3339 time: {value!r}") from exc


def _strings(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key!r} must be a list of strings")
    return tuple(value)


def _check_type(key: str, value: Any) -> None:
    expected = _TYPES.get(key, object)
    if isinstance(value, bool) and expected in (int, (int, float)):
        raise ValueError(f"{key!r} must be a number, not true/false")
    if not isinstance(value, expected):
        raise ValueError(f"{key!r} has the wrong type ({type(value).__name__})")


@dataclass(frozen=True)
class IncidentMeta:
    """The immutable creation facts of an incident (incident.toml)."""

    id: str
    title: str
    opened_at: datetime
    opened_by: str
    format: int = FORMAT  # the format its file was written in (a newer one is never written to)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "id": self.id,
            "title": self.title,
            "opened_at": to_rfc3339(self.opened_at),
            "opened_by": self.opened_by,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IncidentMeta:
        for key in ("id", "title", "opened_at", "opened_by"):
            if not isinstance(data.get(key), str):
                raise ValueError(f"missing or non-text key {key!r}")
        written_in = data.get("format", FORMAT)
        if not isinstance(written_in, int) or isinstance(written_in, bool):
            raise ValueError("'format' must be a whole number")
        opened_at = _time("opened_at", data["opened_at"])
        return cls(data["id"], data["title"], opened_at, data["opened_by"], written_in)
