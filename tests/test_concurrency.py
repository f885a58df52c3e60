"""Concurrent writers in one clone: the writer lock serialises them, nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SRC, Run, git
from teamkit import committed_entries, entry_files

WRITER = """
import sys
from pathlib import Path
from incjournal import write as J
from incjournal.core.model import Kind
from incjournal.store.journal import Journal

root, incident, who, count = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
journal = Journal(root)
for n in range(count):
    result = J.record(journal, incident, J.Draft(Kind.NOTE, f"{who} write {n}"))
    assert result.commit and not result.warnings, result.warnings
    print(result.entry.id, flush=True)
"""


@pytest.mark.slow
def test_four_processes_write_100_entries_each_into_one_incident(tmp_path: Path) -> None:
    root = tmp_path / "j"
    Run(tmp_path)("init", str(root))
    opened = Run(root)("open", "Busy night", "--id", "busy")
    incident = opened.stdout.split(" in ")[1].split()[0]
    commits_before = len(git(root, "rev-list", "HEAD").split())
    env = {**os.environ, "PYTHONPATH": str(SRC), "INCJOURNAL_LOCK_TIMEOUT": "120"}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), incident, f"w{n}", "100"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(4)
    ]
    printed = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
        printed += out.split()

    assert len(printed) == len(set(printed)) == 400
    entries = entry_files(root)
    assert len(entries) == 401 and entries == committed_entries(root)
    assert {p.split("-")[-1][:-5] for p in entries} >= set(printed)
    commits = git(root, "rev-list", "HEAD").split()
    assert len(commits) - commits_before == 400
    per_commit = git(root, "log", "-400", "--format=%x40", "--name-only").split("@")[1:]
    assert all(sum("/entries/" in f for f in c.split()) == 1 for c in per_commit)
    assert Run(root)("check").stdout == "journal ok\n"
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    git(root, "fsck", "--strict", "--no-progress")
