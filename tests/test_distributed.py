"""Three clones, 100 writes each, syncing at random points: every clone ends with the same log."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from conftest import Run, git
from teamkit import (
    assert_healthy,
    bare_remote,
    clone,
    committed_entries,
    entry_files,
    first_clone,
    timeline,
)

from incjournal import sync as sync_mod
from incjournal import write as journal_mod
from incjournal.core.model import Kind
from incjournal.store.journal import Journal

WRITES = 100
NAMES = ("alice", "bob", "carol")


def _export(root: Path, incident: str) -> str:
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False):
        return Run(root)("export", "--format", "json", "-i", incident).stdout


def _sync(journal: Journal) -> None:
    report = sync_mod.sync(journal, prompt=False)
    assert report.offline is None and report.notes == (), report  # nothing surfaced to the user


@pytest.mark.slow
def test_three_clones_converge_on_one_journal(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote, "alice")
    for slug in ("api", "db"):
        Run(alice)("open", f"Outage in {slug}", "--id", slug)
    Run(alice)("sync")
    roots = [alice, clone(tmp_path, remote, "bob"), clone(tmp_path, remote, "carol")]
    journals = [Journal(root) for root in roots]
    incidents = journals[0].incident_ids()
    rng = random.Random(7)
    turns = [n for n in range(3) for _ in range(WRITES)]
    rng.shuffle(turns)
    written = [0, 0, 0]
    syncs = 0
    for who in turns:
        text = f"{NAMES[who]} write {written[who]}"
        draft = journal_mod.Draft(Kind.NOTE, text, by=f"{NAMES[who]} <{NAMES[who]}@example.com>")
        journal_mod.record(journals[who], rng.choice(incidents), draft)
        written[who] += 1
        if rng.random() < 0.12:
            _sync(journals[who])
            syncs += 1
    for _round in range(2):
        for journal in journals:
            _sync(journal)

    assert syncs > 20
    files = entry_files(alice)
    assert len(files) == 3 * WRITES + 2
    heads = {git(root, "rev-parse", "HEAD") for root in roots}
    assert heads == {git(remote, "rev-parse", "main")}
    for root in roots:
        assert entry_files(root) == files == committed_entries(root)
        assert_healthy(root)
    for incident in incidents:
        assert len({timeline(root, incident) for root in roots}) == 1
        assert len({_export(root, incident) for root in roots}) == 1
        pages = {(root / "incidents" / incident / "README.md").read_text() for root in roots}
        assert len(pages) == 1
    git(remote, "fsck", "--strict", "--no-progress")
