"""Git: one commit per write with only the journal's files; the user's own work stays put."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import Run, entry_id, git, ij_subprocess


def test_user_staged_and_unstaged_changes_stay_exactly_as_they_were(
    run: Run, journal_dir: Path, incident: str
) -> None:
    (journal_dir / "runbook.md").write_text("v1\n")
    git(journal_dir, "add", "runbook.md")
    git(journal_dir, "commit", "-qm", "runbook")
    (journal_dir / "runbook.md").write_text("v2 staged\n")
    git(journal_dir, "add", "runbook.md")
    (journal_dir / "runbook.md").write_text("v3 unstaged\n")
    (journal_dir / "scratch.txt").write_text("untracked\n")
    before = git(journal_dir, "status", "--porcelain")
    staged_blob = git(journal_dir, "ls-files", "-s", "runbook.md")

    note = entry_id(run("note", "db is slow"))

    assert git(journal_dir, "status", "--porcelain") == before
    assert git(journal_dir, "ls-files", "-s", "runbook.md") == staged_blob
    assert (journal_dir / "runbook.md").read_text() == "v3 unstaged\n"
    committed = git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert "runbook.md" not in committed and "scratch.txt" not in committed
    assert any(note in f for f in committed)
    assert git(journal_dir, "show", "HEAD:runbook.md") == "v1\n"


def test_journal_inside_a_subfolder_of_a_bigger_repo(tmp_path: Path) -> None:
    repo = tmp_path / "ops"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "app.py").write_text("print('hi')\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "app")
    Run(repo)("init", "journal")
    sub = Run(repo / "journal")
    sub("open", "Queue backlog", "--id", "queue")
    (repo / "app.py").write_text("print('changed')\n")
    git(repo, "add", "app.py")
    sub("note", "consumers lagging")
    assert git(repo, "diff", "--cached", "--name-only").split() == ["app.py"]
    files = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert all(f.startswith("journal/incidents/") for f in files)


def test_index_entries_of_journal_files_match_head(
    run: Run, journal_dir: Path, incident: str
) -> None:
    for text in ("one", "two", "three"):
        run("note", text)
    assert git(journal_dir, "status", "--porcelain") == ""
    assert git(journal_dir, "diff", "--cached", "--stat") == ""
    git(journal_dir, "fsck", "--strict")


def test_end_to_end_as_a_real_process(tmp_path: Path) -> None:
    root = tmp_path / "j"
    assert ij_subprocess(tmp_path, "init", str(root)).returncode == 0
    opened = ij_subprocess(root, "open", "Login failures", "--sev", "1", "--ic", "dana")
    assert opened.returncode == 0, opened.stderr
    noted = ij_subprocess(root, "note", "-", input="line one\nline two\n")
    assert noted.returncode == 0 and noted.stdout.startswith("noted ")
    shown = ij_subprocess(root, "show")
    assert shown.returncode == 0 and "Login failures" in shown.stdout
    assert "\x1b[" not in shown.stdout  # piped output is plain
    bad = ij_subprocess(root, "sev", "7")
    assert bad.returncode == 2
    assert bad.stderr == "ij: error: invalid severity '7': use one of 1, 2, 3, 4\n"
    usage = ij_subprocess(root, "note", "--no-such-flag")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert len(git(root, "log", "--format=%H").splitlines()) == 3


def test_console_scripts_are_installed() -> None:
    for name in ("ij", "incjournal"):
        path = shutil.which(name)
        if path is None:  # running from a source tree without installation
            continue
        out = subprocess.run([path, "--help"], capture_output=True, text=True, check=True)
        assert "Keep an incident's journal in git" in out.stdout
