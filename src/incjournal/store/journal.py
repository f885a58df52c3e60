"""The journal on disk: layout, atomic writes, reading and validating entry files.

Layout (relative to the journal root, the folder holding incjournal.toml)::

    incidents/<YYYY-MM-DD>-<slug>/incident.toml
    incidents/<YYYY-MM-DD>-<slug>/entries/<UTC stamp>-<id>.toml
    incidents/<YYYY-MM-DD>-<slug>/README.md          (derived)

Per-clone state that is never committed (current incident, lock, pending commits, caches) lives in
`<git dir>/incjournal/`.
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import tomli

from incjournal.core import config as config_mod
from incjournal.core.errors import (
    CorruptFile,
    EntryNotFound,
    NoIncident,
    NotAJournal,
    UnknownIncident,
    UnreadableEntry,
)
from incjournal.core.model import Entry, IncidentMeta, entry_from_dict

INCIDENTS = "incidents"
ENTRIES = "entries"
META = "incident.toml"
PAGE = "README.md"
STATUS = "status"  # written briefs: status/<audience>.md
REVIEW = "review.md"
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_ID_LEN = 8
_SLUG_BAD = re.compile(r"[^a-z0-9]+")
ID_MAX = 80
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
# an entry file: `*.toml`, not hidden (temp files of atomic writes start with a dot); a C-level
# match, called once per file of folders of 10,000
is_entry_file = re.compile(r"(?!\.).*\.toml\Z", re.DOTALL).match
_ENTRY_NAME = re.compile(r"^\d{8}T\d{6}(?:\.\d{1,6})?Z-([0-9a-z]{3,32})\.toml$")


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` all or nothing: temp file, fsync, rename, fsync of the directory.

    `durable=False` skips both fsyncs, for files that may be lost in a crash (caches): a reader
    still sees either the old file or the whole new one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{new_id()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_id() -> str:
    raw = int.from_bytes(os.urandom(5), "big")
    return "".join(_ALPHABET[(raw >> (5 * i)) & 31] for i in range(_ID_LEN))


def slugify(title: str) -> str:
    slug = _SLUG_BAD.sub("-", title.lower()).strip("-")
    return slug[:40].rstrip("-") or "incident"


def plain_id(value: str, what: str) -> str | None:
    """The one rule for every name a path is built from (incident ids, entry ids): letters,
    digits, dashes and underscores, starting with a letter or digit, at most ID_MAX characters.
    Returns what is wrong with `value` (None: nothing)."""
    if len(value) > ID_MAX:
        return f"{what} {value[:24]!r}... is {len(value)} characters long: use at most {ID_MAX}"
    if not _PLAIN_ID.match(value):
        return f"invalid {what} {value!r}: use letters, digits, dashes and underscores"
    return None


def check_slug(slug: str) -> str:
    """An incident id, refused (UnknownIncident) unless it is a plain id."""
    problem = plain_id(slug, "incident id")
    if problem is not None:
        raise UnknownIncident(problem)
    return slug


def entry_filename(entry: Entry) -> str:
    problem = plain_id(entry.id, "entry id")
    if problem is not None:  # an id read from a file or an export: never a path of its own
        raise CorruptFile(problem)
    stamp = entry.recorded_at.strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{entry.id}.toml"


def entry_id_of(name: str) -> str | None:
    match = _ENTRY_NAME.match(name)
    return match.group(1) if match else None


def find_git_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            text = dot.read_text().strip()
            if text.startswith("gitdir:"):
                return (folder / text.removeprefix("gitdir:").strip()).resolve()
    return None


class Journal:
    """One journal: the folder holding incjournal.toml, inside a git work tree."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def find(cls, start: Path | None = None) -> Journal:
        env = os.environ.get("INCJOURNAL_DIR")
        here = Path(env) if env and start is None else (start or Path.cwd())
        here = here.resolve()
        for folder in (here, *here.parents):
            if (folder / config_mod.FILENAME).is_file():
                return cls(folder)
        raise NotAJournal(f"{here} is not an incident journal: run `ij init` to make one")

    @cached_property
    def config(self) -> config_mod.Config:
        return config_mod.load(self.root)

    @cached_property
    def git_dir(self) -> Path:
        found = find_git_dir(self.root)
        if found is None:
            raise NotAJournal(f"{self.root} is not inside a git repository: run `ij init` there")
        return found

    @property
    def state_dir(self) -> Path:
        """Per-clone, uncommitted: current incident, lock, pending commits, caches."""
        path = self.git_dir / "incjournal"
        path.mkdir(exist_ok=True)
        return path

    # incidents -------------------------------------------------------------------------------
    def incident_dir(self, incident_id: str) -> Path:
        return self.root / INCIDENTS / check_slug(incident_id)

    def incident_ids(self) -> list[str]:
        base = self.root / INCIDENTS
        try:
            names = os.listdir(base)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if (base / n / META).is_file())

    def resolve_incident(self, ref: str | None) -> str:
        """An incident id from an exact id, a unique prefix or slug; None means the current one."""
        if ref is None:
            return self.current()
        check_slug(ref)
        if (self.root / INCIDENTS / ref / META).is_file():
            return ref
        ids = self.incident_ids()
        matches = [i for i in ids if i.startswith(ref) or i[11:].startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UnknownIncident(f"no incident {ref!r}: `ij list --all` shows the incidents")
        raise UnknownIncident(f"incident {ref!r} is ambiguous: {', '.join(matches[:8])}")

    def current(self) -> str:
        try:
            current = (self.state_dir / "current").read_text().strip()
        except (FileNotFoundError, UnicodeDecodeError):  # garbled: as if none were chosen
            current = ""
        if current and (self.root / INCIDENTS / current / META).is_file():
            return current
        raise NoIncident("no current incident: `ij open TITLE` starts one, `ij use ID` picks one")

    def set_current(self, incident_id: str) -> None:
        atomic_write(self.state_dir / "current", incident_id.encode() + b"\n")

    def review_written(self, incident_id: str) -> bool:
        """Whether `ij review --write` has made the humans' review.md for this incident."""
        return (self.incident_dir(incident_id) / REVIEW).exists()

    def read_meta(self, incident_id: str) -> IncidentMeta:
        path = self.incident_dir(incident_id) / META
        data = read_toml(path)
        try:
            return IncidentMeta.from_dict(data)
        except ValueError as exc:
            raise CorruptFile(f"{path}: {exc}") from exc

    # entries ---------------------------------------------------------------------------------
    def entries_dir(self, incident_id: str) -> Path:
        return self.incident_dir(incident_id) / ENTRIES

    def entry_names(self, incident_id: str) -> list[str]:
        try:
            names = os.listdir(self.entries_dir(incident_id))
        except FileNotFoundError:
            return []
        return sorted(filter(is_entry_file, names))

    def read_entries(self, incident_id: str) -> list[Entry]:
        entries = read_entries(self.entries_dir(incident_id), self.entry_names(incident_id))
        return list(entries.values())

    def entry_path(self, incident_id: str, entry: Entry) -> Path:
        return self.entries_dir(incident_id) / entry_filename(entry)

    def resolve_entry(self, incident_id: str, prefix: str) -> Path:
        """The file of the entry whose id starts with `prefix` (3+ characters, unique)."""
        prefix = prefix.strip().lower()
        if len(prefix) < 3:
            raise EntryNotFound(f"entry id {prefix!r} is too short: give at least 3 characters")
        found = [
            n for n in self.entry_names(incident_id) if (entry_id_of(n) or "").startswith(prefix)
        ]
        if len(found) == 1:
            return self.entries_dir(incident_id) / found[0]
        if not found:
            raise EntryNotFound(
                f"no entry {prefix!r} in {incident_id}: `ij timeline` lists entries and their ids"
            )
        ids = ", ".join(sorted(entry_id_of(n) or n for n in found)[:8])
        raise EntryNotFound(f"entry id {prefix!r} is ambiguous in {incident_id}: {ids}")

    def iter_files(self) -> Iterator[Path]:
        """Every file of the journal that `ij check` validates."""
        yield self.root / config_mod.FILENAME
        for incident_id in (
            sorted(os.listdir(self.root / INCIDENTS)) if (self.root / INCIDENTS).is_dir() else []
        ):
            folder = self.root / INCIDENTS / incident_id
            yield folder / META
            entries = folder / ENTRIES
            if entries.is_dir():
                yield from sorted(entries.iterdir())


def read_file(path: str | Path) -> bytes:
    """A file's bytes through the os module alone: a third of what `Path.read_bytes` costs, which
    counts when a cold read opens 10,000 entry files."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(fd, 1 << 16)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_toml(path: str | Path) -> dict[str, Any]:
    try:
        return tomli.loads(read_file(path).decode())
    except FileNotFoundError as exc:
        raise CorruptFile(f"{path}: file is missing") from exc
    except tomli.TOMLDecodeError as exc:
        raise CorruptFile(
            f"{path}: not valid TOML ({exc}); `ij check` lists every problem"
        ) from exc
    except UnicodeDecodeError as exc:
        raise CorruptFile(f"{path}: not UTF-8 text") from exc


def read_entries(folder: Path, names: Iterable[str]) -> dict[str, Entry]:
    """The entries of these files (by name); a file that cannot be read is skipped with an
    UnreadableEntry warning naming `path:line` (views stay usable; `ij check` lists them all)."""
    prefix = f"{folder}{os.sep}"
    entries = {}
    for name in names:
        try:
            entries[name] = read_entry(prefix + name)
        except CorruptFile as exc:
            warnings.warn(UnreadableEntry(located(str(exc), prefix + name)), stacklevel=1)
    return entries


@contextlib.contextmanager
def noting_unreadable() -> Iterator[list[str]]:
    """The entry files skipped within the block as unreadable (filled when it ends); their
    warnings still go on to the caller."""
    skipped: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnreadableEntry)
        yield skipped
    for warning in caught:
        if issubclass(warning.category, UnreadableEntry):
            skipped.append(str(warning.message))
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def located(problem: str, path: str) -> str:
    """A file's read problem as `path:line: what` (the line TOML names, or the key's line)."""
    what = problem.removeprefix(f"{path}: ").replace("; `ij check` lists every problem", "")
    found = re.search(r"at line (\d+)", what)
    key = re.search(r"'([A-Za-z_]+)'", what) or re.search(r"(end of document)", what)
    line = int(found.group(1)) if found else _key_line(path, key.group(1)) if key else 1
    return f"{path}:{line}: {what}"


def _key_line(path: str, key: str) -> int:
    with contextlib.suppress(OSError):
        lines = read_file(path).decode(errors="replace").splitlines()
        if key == "end of document":
            return max(len(lines), 1)
        keyed = (n for n, line in enumerate(lines, 1) if line.startswith(f"{key} ="))
        named = (n for n, line in enumerate(lines, 1) if f'"{key}"' in line)  # a value
        return next(keyed, next(named, 1))
    return 1


def read_entry(path: str | Path) -> Entry:
    data = read_toml(path)
    try:
        entry = entry_from_dict(data)
    except ValueError as exc:
        raise CorruptFile(f"{path}: {exc}; `ij check` lists every problem") from exc
    expected = entry_id_of(os.path.basename(path))
    if expected is not None and expected != entry.id:
        raise CorruptFile(f"{path}: id {entry.id!r} does not match the file name")
    return entry


def incident_id_for(opened_at: datetime, slug: str) -> str:
    return f"{opened_at:%Y-%m-%d}-{check_slug(slug)}"


GIT_ATTRIBUTES = """\
# incjournal: README.md and status/*.md are rebuilt from the entries and never merged by hand.
# merge=union: a manual `git merge` / `git pull` does not stop on them; the next `ij` write or
# `ij sync` rebuilds them. linguist-generated: hosted diffs fold them away.
incidents/*/README.md merge=union linguist-generated=true
incidents/*/status/*.md merge=union linguist-generated=true
"""


def write_attributes(root: Path) -> list[str]:
    """`ij init`: the journal's .gitattributes, unless the folder has one; paths to commit."""
    path = root / ".gitattributes"
    if path.exists():
        return []
    atomic_write(path, GIT_ATTRIBUTES.encode())
    return [path.name]
