"""Build benchmark journals by writing entry files directly and committing them in bulk.

Building 10,000 entries through the CLI would take minutes; the layout is the journal's own
(`incidents/<YYYY-MM-DD>-<slug>/incident.toml` + `entries/<stamp>-<id>.toml`), written with the
model's own `entry_to_dict` / `IncidentMeta.to_dict`, so `ij` reads them as if it had written them.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tomli_w

from incjournal.core import config as config_mod
from incjournal.core.model import PUBLIC, Entry, IncidentMeta, Kind, entry_to_dict
from incjournal.store.journal import ENTRIES, INCIDENTS, META, entry_filename

AUTHORS = (
    "Alice Example <alice@example.com>",
    "Bob Builder <bob@example.com>",
    "Carol Ops <carol@example.com>",
    "Dan Comms <dan@example.com>",
)
PEOPLE = ("alice", "bob", "carol", "dan")
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
BASE = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
_OUTPUT = "\n".join(
    f"2024-05-01T10:{i:02d}:00Z GET /api/checkout 503 upstream timeout" for i in range(20)
)


@dataclass(frozen=True)
class Built:
    root: Path
    incident_ids: tuple[str, ...]
    entry_files: int


def git_env(base: Mapping[str, str]) -> dict[str, str]:
    """Commits made by the generator: a fixed identity, whatever the machine's git config."""
    return {
        **base,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }


def build_journal(
    root: Path, sizes: Sequence[int], *, seed: int = 8, env: Mapping[str, str] | None = None
) -> Built:
    """A committed journal at `root` with one incident per item of `sizes` (its entry count).

    The first incident is made the current one; ids are returned in `sizes` order.
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    run_env = git_env(env if env is not None else os.environ)
    _git(root, run_env, "init", "-q", "--initial-branch=main")
    (root / config_mod.FILENAME).write_text(config_mod.default_text("UTC"))
    ids = []
    files = 0
    for number, size in enumerate(sizes):
        opened = BASE + timedelta(hours=3 * number)
        incident_id = f"{opened:%Y-%m-%d}-inc-{number:05d}"
        meta = IncidentMeta(incident_id, f"Bench incident {number}", opened, AUTHORS[0])
        files += write_incident(root, meta, make_entries(rng, opened, size))
        ids.append(incident_id)
    _git(root, run_env, "add", "-A")
    _git(root, run_env, "commit", "-q", "-m", f"bench: {len(sizes)} incidents, {files} entries")
    state = root / ".git" / "incjournal"
    state.mkdir(exist_ok=True)
    if ids:
        (state / "current").write_text(ids[0] + "\n")
    return Built(root, tuple(ids), files)


def write_incident(root: Path, meta: IncidentMeta, entries: Sequence[Entry]) -> int:
    folder = root / INCIDENTS / meta.id
    (folder / ENTRIES).mkdir(parents=True)
    (folder / META).write_bytes(tomli_w.dumps(meta.to_dict()).encode())
    for entry in entries:
        data = tomli_w.dumps(entry_to_dict(entry)).encode()
        (folder / ENTRIES / entry_filename(entry)).write_bytes(data)
    return len(entries)


def make_entries(rng: random.Random, opened: datetime, count: int) -> list[Entry]:
    """`count` entries of a realistic mix: notes, questions answered, hypotheses ruled out, ..."""
    out: list[Entry] = []
    open_items: dict[Kind, list[str]] = {k: [] for k in _CLOSERS.values()}
    for number, (at, kind) in enumerate(_schedule(rng, opened, count)):
        fields = _fields(rng, kind, number, open_items, out)
        if fields is None:  # a closer with nothing to close: a note instead
            kind, fields = Kind.NOTE, {}
        if kind is Kind.STATUS and count < 20 and number == count - 1:
            fields = {"state": "resolved"}
        entry = Entry(
            id=_rid(rng),
            kind=kind,
            at=at,
            recorded_at=at + timedelta(seconds=rng.randint(0, 90)),
            author=rng.choice(AUTHORS),
            text=_text(rng, kind, number),
            visibility=PUBLIC if rng.random() < 0.05 else "internal",
            tags=("db",) if rng.random() < 0.1 else (),
            **fields,
        )
        if kind in open_items:
            open_items[kind].append(entry.id)
        out.append(entry)
    return out


def _schedule(rng: random.Random, opened: datetime, count: int) -> Iterator[tuple[datetime, Kind]]:
    for number in range(count):
        at = opened + timedelta(seconds=20 * number)
        if number == 0:
            yield at, Kind.OPEN
        elif count < 20 and number == count - 1 and rng.random() < 0.9:
            yield at, Kind.STATUS  # small incidents mostly end resolved
        else:
            yield at, rng.choices(_KINDS, _WEIGHTS)[0]


_MIX = {
    Kind.NOTE: 50,
    Kind.QUESTION: 4,
    Kind.ANSWER: 3,
    Kind.HYPOTHESIS: 4,
    Kind.RULE_OUT: 3,
    Kind.CONFIRM: 1,
    Kind.DECISION: 4,
    Kind.ACTION: 4,
    Kind.DONE: 3,
    Kind.RISK: 2,
    Kind.RETIRE: 1,
    Kind.STATUS: 1,
    Kind.SEVERITY: 1,
    Kind.ROLE: 1,
    Kind.UPDATE: 3,
    Kind.IMPACT: 2,
    Kind.COMMAND: 5,
    Kind.MILESTONE: 1,
    Kind.AMEND: 1,
}
_KINDS = list(_MIX)
_WEIGHTS = list(_MIX.values())
_CLOSERS = {
    Kind.ANSWER: Kind.QUESTION,
    Kind.RULE_OUT: Kind.HYPOTHESIS,
    Kind.CONFIRM: Kind.HYPOTHESIS,
    Kind.DONE: Kind.ACTION,
    Kind.RETIRE: Kind.RISK,
}
_STATES = ("investigating", "identified", "monitoring")


def _fields(
    rng: random.Random,
    kind: Kind,
    number: int,
    open_items: dict[Kind, list[str]],
    done: Sequence[Entry],
) -> dict[str, object] | None:
    if kind in _CLOSERS:
        pool = open_items[_CLOSERS[kind]]
        return {"ref": pool.pop(rng.randrange(len(pool)))} if pool else None
    if kind is Kind.AMEND:
        notes = [e for e in done[-50:] if e.kind is Kind.NOTE]
        return {"ref": rng.choice(notes).id} if notes else None
    simple: dict[Kind, dict[str, object]] = {
        Kind.OPEN: {"level": 2, "person": "alice"},
        Kind.STATUS: {"state": rng.choice(_STATES)},
        Kind.SEVERITY: {"level": rng.randint(1, 3)},
        Kind.ROLE: {"role": rng.choice(("ic", "comms", "scribe")), "person": rng.choice(PEOPLE)},
        Kind.DECISION: {"why": "the error rate doubled after the deploy"},
        Kind.ACTION: {"owner": rng.choice(PEOPLE)},
        Kind.QUESTION: {"owner": rng.choice(PEOPLE)},
        Kind.RISK: {"likelihood": "medium", "impact": "high"},
        Kind.UPDATE: {"audience": rng.choice(("responders", "exec", "support"))},
        Kind.MILESTONE: {"milestone": rng.choice(("detected", "started"))},
        Kind.COMMAND: {
            "command": ("kubectl", "logs", "deploy/checkout", "--tail=20"),
            "cwd": "/srv",
            "exit_code": 0,
            "duration_s": 1.25,
            "output": _OUTPUT,
            "output_bytes": len(_OUTPUT),
        },
    }
    return simple.get(kind, {})


def _text(rng: random.Random, kind: Kind, number: int) -> str:
    if kind is Kind.STATUS:
        return ""
    words = rng.choice(
        (
            "checkout p99 latency is up on the EU cluster",
            "db primary shows lock waits on the orders table",
            "rolled back canary in eu-west-1; error rate flat so far",
            "customers report failed payments with card type visa",
        )
    )
    return f"{words} (#{number})"


def _rid(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(8))


def _git(root: Path, env: Mapping[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=dict(env), check=True, capture_output=True)


def build_jrnl(path: Path, entries: int) -> Path:
    """A plain-text jrnl journal of `entries` entries (jrnl's own file format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for number in range(entries):
        when = BASE + timedelta(minutes=number)
        lines.append(f"[{when:%Y-%m-%d %I:%M:%S %p}] Bench entry {number}\nsome body text\n")
    path.write_text("\n".join(lines))
    return path
