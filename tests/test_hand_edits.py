"""Edits of the user's that are not committed: never in a committed page, never discarded."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, entry_id, git, ij_subprocess


def _entry_file(journal_dir: Path, incident: str, entry: str) -> Path:
    [path] = (journal_dir / "incidents" / incident / "entries").glob(f"*-{entry}.toml")
    return path


def _committed(journal_dir: Path, path: Path) -> str:
    return git(journal_dir, "show", f"HEAD:./{path.relative_to(journal_dir)}")


def test_an_uncommitted_edit_to_an_entry_never_reaches_the_committed_page(
    run: Run, journal_dir: Path, incident: str
) -> None:
    noted = entry_id(run("note", "replica lag 40s on db-2"))
    edited = _entry_file(journal_dir, incident, noted)
    edited.write_text(edited.read_text().replace("40s", "4000s (EDITED)"))

    result = run("note", "lag back under 1s")

    page = journal_dir / "incidents" / incident / "README.md"
    assert "EDITED" not in _committed(journal_dir, page)
    assert "replica lag 40s on db-2" in _committed(journal_dir, page)
    assert "lag back under 1s" in _committed(journal_dir, page)
    rel = edited.relative_to(journal_dir)
    assert f"leaves out edits not committed to {rel}" in result.stderr
    assert "EDITED" in edited.read_text()  # the user's edit is still there, still theirs
    assert git(journal_dir, "status", "--porcelain") == f" M {rel}\n"


def test_staged_deleted_and_stray_entry_files_are_read_as_head_holds_them(
    run: Run, journal_dir: Path, incident: str
) -> None:
    kept = entry_id(run("note", "first note stays on the page"))
    staged = entry_id(run("note", "second note as committed"))
    path = _entry_file(journal_dir, incident, staged)
    path.write_text(path.read_text().replace("as committed", "STAGED EDIT"))
    git(journal_dir, "add", str(path))
    _entry_file(journal_dir, incident, kept).unlink()
    stray = path.with_name(path.name.replace(staged, "zzzzzzzz"))
    stray.write_text(path.read_text().replace(staged, "zzzzzzzz").replace("STAGED", "STRAY"))

    run("note", "third note")

    page = _committed(journal_dir, journal_dir / "incidents" / incident / "README.md")
    assert "first note stays on the page" in page
    assert "second note as committed" in page
    assert "STAGED" not in page and "STRAY" not in page
    assert "third note" in page


def test_a_hand_edited_page_is_kept_and_reported_until_checked_out(
    run: Run, journal_dir: Path, incident: str
) -> None:
    page = journal_dir / "incidents" / incident / "README.md"
    page.write_text(page.read_text() + "\nMy own summary for the exec call.\n")

    result = run("note", "cache warmed")

    assert page.read_text().endswith("My own summary for the exec call.\n")
    assert "cache warmed" not in page.read_text()
    rel = page.relative_to(journal_dir)
    assert f"{rel} holds edits of yours not committed: kept, not rebuilt" in result.stderr
    assert git(journal_dir, "status", "--porcelain") == f" M {rel}\n"

    git(journal_dir, "checkout", "--", str(rel))
    again = run("note", "cache hit rate 97%")
    assert again.stderr == ""
    assert "cache warmed" in page.read_text() and "cache hit rate 97%" in page.read_text()
    assert git(journal_dir, "status", "--porcelain") == ""


def test_as_a_real_process_the_edit_is_named_and_the_write_still_commits(
    run: Run, journal_dir: Path, incident: str
) -> None:
    noted = entry_id(run("note", "error rate 12%"))
    edited = _entry_file(journal_dir, incident, noted)
    edited.write_text(edited.read_text().replace("12%", "99% (EDITED)"))
    before = git(journal_dir, "rev-parse", "HEAD")

    proc = ij_subprocess(journal_dir, "note", "error rate 3%")

    assert proc.returncode == 0, proc.stderr
    assert git(journal_dir, "rev-parse", "HEAD~1").strip() == before.strip()
    assert "leaves out edits not committed" in proc.stderr
    page = _committed(journal_dir, journal_dir / "incidents" / incident / "README.md")
    assert "error rate 12%" in page and "EDITED" not in page
