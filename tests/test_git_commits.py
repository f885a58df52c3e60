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


def test_a_commit_rewrites_only_its_folders_and_keeps_the_rest_of_the_tree(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """The tree is built from HEAD's with `mktree`, folder by folder: every other path keeps its
    object id, and the result equals what `git add` + `git write-tree` would make."""
    (journal_dir / "docs").mkdir()
    (journal_dir / "docs" / "runbook.md").write_text("steps\n")
    tool = journal_dir / "tool.sh"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    git(journal_dir, "add", "docs", "tool.sh")
    git(journal_dir, "commit", "-qm", "by hand")
    before = dict(
        line.split("\t", 1)[::-1] for line in git(journal_dir, "ls-tree", "-r", "HEAD").splitlines()
    )
    note = entry_id(run("note", "db slow"))
    after = dict(
        line.split("\t", 1)[::-1] for line in git(journal_dir, "ls-tree", "-r", "HEAD").splitlines()
    )
    added = set(after) - set(before)
    assert any(note in path for path in added) and len(added) == 1
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed == {f"incidents/{incident}/README.md"}
    assert after["tool.sh"].startswith("100755 blob")
    git(journal_dir, "read-tree", "HEAD")  # the index git itself would build
    assert git(journal_dir, "write-tree") == git(journal_dir, "rev-parse", "HEAD^{tree}")
    git(journal_dir, "fsck", "--strict")


def test_folder_names_that_look_like_patterns_are_taken_literally(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "ops [*]").mkdir()
    (repo / "ops [*]" / "keep.md").write_text("kept\n")
    (repo / "ops x").mkdir()
    (repo / "ops x" / "other.md").write_text("other\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "layout")
    Run(repo)("init", "ops [*]")
    sub = Run(repo / "ops [*]")
    sub("open", "Queue backlog", "--id", "queue")
    sub("note", "consumers lagging")
    files = git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert "ops [*]/keep.md" in files and "ops x/other.md" in files
    assert any(f.startswith("ops [*]/incidents/") and "/entries/" in f for f in files)
    assert not any(f.startswith("ops x/incidents") for f in files)
    assert git(repo, "status", "--porcelain") == ""


def test_a_missing_path_is_removed_and_an_emptied_folder_goes_with_it(
    journal_dir: Path,
) -> None:
    from datetime import UTC, datetime

    from incjournal.git import commit as gitlog

    folder = journal_dir / "scratch" / "deep"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("a\n")
    who = gitlog.Identity("Alice Example", "alice@example.com")
    now = datetime.now(UTC)
    gitlog.commit_paths(journal_dir, journal_dir / ".git", ["scratch/deep/a.txt"], "add", who, now)
    assert "scratch/deep/a.txt" in git(journal_dir, "ls-tree", "-r", "--name-only", "HEAD")
    (folder / "a.txt").unlink()
    gitlog.commit_paths(journal_dir, journal_dir / ".git", ["scratch/deep/a.txt"], "rm", who, now)
    assert "scratch" not in git(journal_dir, "ls-tree", "-r", "--name-only", "HEAD")
    assert git(journal_dir, "status", "--porcelain") == ""
    git(journal_dir, "fsck", "--strict")


def git_bytes_in(repo: Path, args: list[str], stdin: bytes) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True, check=True)
    return proc.stdout.decode().strip()


def git_raw(repo: Path, oid: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "tree", oid], cwd=repo, capture_output=True, check=True
    ).stdout


def _write_note_file(repo: Path, name: str) -> list[str]:
    (repo / "notes").mkdir(exist_ok=True)
    (repo / "notes" / name).write_text(f"{name}\n")
    return [f"notes/{name}"]


def test_odd_file_names_are_committed_as_they_are(journal_dir: Path) -> None:
    from datetime import UTC, datetime

    from incjournal.git import commit as gitlog

    names = ["line\nbreak.txt", "tab\there.txt", "-dash.txt", "ünï cödé.txt"]
    folder = journal_dir / "odd"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(f"{name}\n")
    who = gitlog.Identity("Alice Example", "alice@example.com")
    paths = [f"odd/{n}" for n in names]
    gitlog.commit_paths(journal_dir, journal_dir / ".git", paths, "odd", who, datetime.now(UTC))
    listed = git(journal_dir, "ls-tree", "-r", "-z", "--name-only", "HEAD").split("\0")
    assert sorted(p for p in listed if p.startswith("odd/")) == sorted(paths)
    for path in paths:
        assert git(journal_dir, "show", f"HEAD:{path}") == (journal_dir / path).read_text()
    git(journal_dir, "fsck", "--strict")
