"""A journal, incident or entry written by a newer incjournal: read where possible, never written
to ("written by a newer incjournal (format N); upgrade"), and named by `ij check`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Run, git, ij_subprocess, snapshot

UPGRADE = re.compile(r"written by a newer incjournal \(format (\d+)\); upgrade")


def _newer_journal(journal_dir: Path, written_in: int) -> None:
    config = journal_dir / "incjournal.toml"
    config.write_text(re.sub(r"(?m)^format = 1$", f"format = {written_in}", config.read_text()))
    git(journal_dir, "commit", "--quiet", "--message", "a newer incjournal", "incjournal.toml")


def _refused(run: Run, journal_dir: Path, *args: str) -> str:
    before = snapshot(journal_dir)
    result = run(*args, code=2)
    assert snapshot(journal_dir) == before  # nothing written, nothing committed
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return str(result.stderr)


def test_a_newer_journal_is_read_but_never_written_to(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("note", "pool at 5/5")
    _newer_journal(journal_dir, 2)
    said = _refused(run, journal_dir, "note", "one more")
    found = UPGRADE.search(said)
    assert found and found.group(1) == "2"
    assert "incjournal.toml" in said
    for args in (
        ("open", "Another"),
        ("status", "monitoring"),
        ("review", "--write"),
        ("brief", "--for", "exec", "--write"),
        ("check", "--repair"),
    ):
        assert UPGRADE.search(_refused(run, journal_dir, *args)), args
    assert "pool at 5/5" in run("timeline").stdout  # still read
    assert "Checkout errors in EU" in run("show").stdout
    assert "format 2" in run("check", code=1).stdout


def test_a_newer_journal_refuses_sync_and_import(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    exported = tmp_path / "export.json"
    exported.write_text(run("export").stdout)
    _newer_journal(journal_dir, 3)
    assert UPGRADE.search(_refused(run, journal_dir, "sync"))
    assert UPGRADE.search(_refused(run, journal_dir, "import", str(exported)))


def test_a_newer_incident_is_read_but_not_written_to(
    run: Run, journal_dir: Path, incident: str
) -> None:
    meta = journal_dir / "incidents" / incident / "incident.toml"
    meta.write_text(meta.read_text().replace("format = 1", "format = 7"))
    git(journal_dir, "commit", "--quiet", "--all", "--message", "newer incident")
    said = _refused(run, journal_dir, "note", "into the newer incident")
    assert "incident.toml: written by a newer incjournal (format 7); upgrade" in said
    assert "Checkout errors in EU" in run("show").stdout
    run("open", "Something else", "--id", "other")  # the rest of the journal stays writable
    run("note", "fine here")
    problems = run("check", code=1).stdout
    assert f"incidents/{incident}/incident.toml:1: written by a newer incjournal (format 7)" in (
        problems
    )


def _newer_entry(journal_dir: Path, incident: str, kind: str, written_in: int) -> Path:
    entries = journal_dir / "incidents" / incident / "entries"
    source = sorted(entries.iterdir())[-1]
    text = source.read_text().replace("format = 1", f"format = {written_in}")
    text = re.sub(r'(?m)^kind = ".*"$', f'kind = "{kind}"', text)
    text = re.sub(r'(?m)^id = "(.*)"$', 'id = "fffff0000000000000000000000000ff"', text)
    text = re.sub(r'(?m)^text = ".*"$', 'text = "from a newer incjournal"', text)
    path = entries / (source.name.rsplit("-", 1)[0] + "-fffff0000000000000000000000000ff.toml")
    path.write_text(text)
    git(journal_dir, "add", str(path))
    git(journal_dir, "commit", "--quiet", "--message", "a newer entry")
    return path


def test_a_newer_entry_of_a_known_kind_is_read_and_named_by_check(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("note", "pool at 5/5")
    path = _newer_entry(journal_dir, incident, "note", 99)
    assert "from a newer incjournal" in run("timeline").stdout
    rel = path.relative_to(journal_dir)
    assert f"{rel}:1: written by a newer incjournal (format 99)" in run("check", code=1).stdout


def test_a_newer_entry_of_an_unknown_kind_is_skipped_with_an_upgrade_line(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("note", "pool at 5/5")
    path = _newer_entry(journal_dir, incident, "poll", 99)
    result = run("timeline")
    assert "pool at 5/5" in result.stdout and "from a newer incjournal" not in result.stdout
    warning = [line for line in result.stderr.splitlines() if path.name in line]
    assert len(warning) == 1
    assert "unknown kind 'poll': written by a newer incjournal (format 99); upgrade" in warning[0]


@pytest.mark.parametrize("where", ["incident", "entry"])
def test_an_export_from_a_newer_incjournal_is_refused_whole(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path, where: str
) -> None:
    run("note", "pool at 5/5")
    data = json.loads(run("export").stdout)
    if where == "incident":
        data["incident"]["format"] = 4
    else:
        data["entries"][-1]["format"] = 4
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(data))
    other = tmp_path / "other"
    Run(tmp_path)("init", str(other))
    said = _refused(Run(other), other, "import", str(path))
    assert f"{where} " in said or f"{where}:" in said
    assert UPGRADE.search(said) and not (other / "incidents").exists()


def test_a_newer_journal_refused_from_a_real_process(journal_dir: Path, incident: str) -> None:
    _newer_journal(journal_dir, 2)
    before = snapshot(journal_dir)
    done = ij_subprocess(journal_dir, "note", "typed in a hurry")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and UPGRADE.search(done.stderr)
    assert snapshot(journal_dir) == before
