"""`ij export` and `ij import`: the JSON round-trips into an empty journal, entry for entry."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, git, snapshot
from incident_fixture import ID, build, write

from incjournal.store.journal import Journal

EVIDENCE = "evidence/abcd1234-pool.log"


def files_of(root: Path, incident_id: str) -> dict[str, bytes]:
    """Every file of the incident that import must rebuild identically."""
    folder = root / "incidents" / incident_id
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "README.md" and "status" not in p.parts
    }


@pytest.fixture
def source(journal_dir: Path, run: Run) -> Path:
    """A journal with the big fixture (plus evidence and a review) and one small CLI incident."""
    meta, entries = build()
    folder = write(journal_dir, meta, entries)
    (folder / "evidence").mkdir()
    (folder / EVIDENCE).write_bytes(b"pool 5/5 busy\n\x00\xff binary tail")
    (folder / "review.md").write_text("# Our review\n\nWritten by people.\n")
    git(journal_dir, "add", "-A")
    git(journal_dir, "commit", "-qm", "fixture")
    run("open", "Search is slow", "--sev", "3", "--id", "search")
    run("note", 'p99 at 3s ✓ "quoted" \\ back')
    return journal_dir


@pytest.fixture
def target(tmp_path: Path) -> tuple[Path, Run]:
    root = tmp_path / "empty"
    Run(tmp_path)("init", str(root), env={"TZ": "UTC"})  # as the source journal shows
    return root, Run(root)


def export(run: Run, incident_id: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{incident_id}.json"
    path.write_text(run("export", "-i", incident_id).stdout)
    return path


def test_every_incident_round_trips_into_an_empty_journal(
    run: Run, source: Path, target: tuple[Path, Run], tmp_path: Path
) -> None:
    root, run_target = target
    ids = Journal(source).incident_ids()
    assert len(ids) == 2
    paths = [export(run, i, tmp_path) for i in ids]
    result = run_target("import", *map(str, paths))
    assert result.stdout.splitlines()[0].startswith(f"imported {ids[0]}: ")
    for incident_id in ids:
        assert files_of(root, incident_id) == files_of(source, incident_id)
        assert Journal(root).read_entries(incident_id) == Journal(source).read_entries(incident_id)
        assert Journal(root).read_meta(incident_id) == Journal(source).read_meta(incident_id)
    assert (root / "incidents" / ID / EVIDENCE).read_bytes().endswith(b"\x00\xff binary tail")
    assert git(root, "status", "--porcelain") == ""
    # one commit per incident, holding that incident's files
    subjects = git(root, "log", "--format=%s").splitlines()
    counts = [len(Journal(source).read_entries(i)) for i in ids]
    assert subjects[:2][::-1] == [
        f"{i}: import: {n} entries" for i, n in zip(ids, counts, strict=True)
    ]
    shown = git(root, "show", "--name-only", "--format=", "HEAD~1").split()
    assert f"incidents/{ID}/{EVIDENCE}" in shown and f"incidents/{ID}/README.md" in shown
    assert run_target("review", "-i", ID).stdout == run("review", "-i", ID).stdout
    assert (
        run_target("export", "-i", ID).stdout.split('"exported_at"')[0]
        == (run("export", "-i", ID).stdout.split('"exported_at"')[0])
    )


def test_export_json_schema(run: Run, source: Path) -> None:
    data = json.loads(run("export", "-i", ID).stdout)
    assert data["schema_version"] == 1
    assert data["generator"].startswith("incjournal ")
    assert set(data) == {
        "schema_version", "generator", "exported_at", "incident", "entries", "files", "state",
        "metrics",
    }  # fmt: skip
    assert data["incident"]["id"] == ID and data["incident"]["format"] == 1
    assert len(data["entries"]) == 96
    first = data["entries"][0]
    assert first["kind"] == "milestone" and first["at"] == "2026-11-23T08:12:00Z"
    assert set(data["files"]) == {EVIDENCE, "review.md"}
    assert base64.b64decode(data["files"]["review.md"]["base64"]).startswith(b"# Our review")
    assert data["state"]["status"] == "resolved" and data["state"]["roles"]["ic"] == "Carol Diaz"
    assert data["metrics"] == {
        "started": "2026-11-23T08:12:00Z",
        "detected": "2026-11-23T08:40:00Z",
        "mitigated": "2026-11-23T09:26:00Z",
        "resolved": "2026-11-24T09:00:00Z",
        "explicit": ["started"],
        "reopened": True,
        "ttd_s": 28 * 60,
        "ttm_s": 74 * 60,
        "ttr_s": (24 * 60 + 48) * 60,
    }
    # amended entries are exported as written: the correction is its own entry
    texts = [e["text"] for e in data["entries"]]
    assert "Processor says the limit change was manual" in texts


def test_export_markdown_has_every_entry(run: Run, source: Path) -> None:
    out = run("export", "-i", ID, "--format", "markdown").stdout
    assert out.startswith("# Card payments failing for EU customers\n")
    _, entries = build()
    assert all(f"`{e.id}`" in out for e in entries)
    assert "Processor says the limit change was manual" in out  # as written
    assert "amended later" in out and "struck later" in out
    assert "`$ ./scripts/replay-failed-payments --dry-run` → exit 2" in out


def test_unknown_format_is_refused(run: Run, source: Path) -> None:
    result = run("export", "-i", ID, "--format", "xml", code=2)
    assert result.stderr == "ij: error: invalid format 'xml': use json or markdown\n"


def test_import_refuses_to_overwrite_an_incident(run: Run, source: Path, tmp_path: Path) -> None:
    path = export(run, ID, tmp_path)
    (source / "incidents" / ID / "review.md").write_text("edited")
    before = snapshot(source)
    result = run("import", str(path), code=2)
    assert result.stderr == (
        f"ij: error: {path}: incident {ID} already exists in this journal; "
        "import never overwrites an incident\n"
    )
    assert snapshot(source) == before
    assert (source / "incidents" / ID / "review.md").read_text() == "edited"


def mutate(data: dict[str, Any], how: str) -> None:
    if how == "newer":
        data["schema_version"] = 2
    elif how == "no-version":
        del data["schema_version"]
    elif how == "bad-entry":
        data["entries"][3]["kind"] = "gossip"
    elif how == "duplicate":
        data["entries"].append(data["entries"][0])
    elif how == "traversal":
        data["files"]["evidence/../../../etc/x"] = {"base64": ""}
    elif how == "bad-base64":
        data["files"][EVIDENCE] = {"base64": "%%%"}
    elif how == "bad-id":
        data["incident"]["id"] = "../escape"


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("newer", "schema_version 2 is newer than this incjournal reads (1): upgrade incjournal"),
        ("no-version", "no schema_version: not an incjournal JSON export"),
        ("bad-entry", "entry 4: unknown kind 'gossip'"),
        ("duplicate", "two entries have the same id"),
        ("traversal", "file 'evidence/../../../etc/x' is not evidence/NAME or review.md"),
        ("bad-base64", f"file '{EVIDENCE}' has no valid base64 content"),
        ("bad-id", "invalid incident id '../escape'"),
    ],
)
def test_bad_exports_are_refused_and_nothing_is_written(
    run: Run, source: Path, target: tuple[Path, Run], tmp_path: Path, how: str, message: str
) -> None:
    root, run_target = target
    good = export(run, ID, tmp_path)
    data = json.loads(good.read_text())
    mutate(data, how)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    before = snapshot(root)
    result = run_target("import", str(good), str(bad), code=2)
    assert result.stderr.startswith(f"ij: error: {bad}: ")
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert snapshot(root) == before
    assert not (root / "incidents").exists()


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"schema_version": 1}'])
def test_files_that_are_not_exports(target: tuple[Path, Run], tmp_path: Path, content: str) -> None:
    root, run_target = target
    path = tmp_path / "x.json"
    path.write_text(content)
    before = snapshot(root)
    result = run_target("import", str(path), code=2)
    assert result.stderr.startswith(f"ij: error: {path}: ")
    assert snapshot(root) == before


def test_missing_file(target: tuple[Path, Run], tmp_path: Path) -> None:
    _, run_target = target
    result = run_target("import", str(tmp_path / "nope.json"), code=2)
    assert result.stderr == f"ij: error: {tmp_path / 'nope.json'}: no such file\n"


def test_the_same_incident_twice_in_one_import(
    run: Run, source: Path, target: tuple[Path, Run], tmp_path: Path
) -> None:
    root, run_target = target
    path = export(run, ID, tmp_path)
    result = run_target("import", str(path), str(path), code=2)
    assert "is given more than once" in result.stderr
    assert not (root / "incidents").exists()


def test_an_unknown_key_is_refused_with_its_name_and_nothing_written(
    run: Run, journal_dir: Path, target: tuple[Path, Run], tmp_path: Path
) -> None:
    """An import drops nothing silently: a key this version does not know (a newer export, or a
    crafted one) is refused, named, before anything is written."""
    run("open", "Future", "--id", "future")
    run("note", "written by a newer incjournal")
    entries_dir = next((journal_dir / "incidents").iterdir()) / "entries"
    note = next(p for p in entries_dir.iterdir() if "note" in p.read_text())
    note.write_text(note.read_text() + 'severity_hint = "maybe"\n')
    incident_id = next((journal_dir / "incidents").iterdir()).name
    root, run_target = target
    before = snapshot(root)
    refused = run_target("import", str(export(run, incident_id, tmp_path)), code=2)
    assert "unknown key 'severity_hint'" in refused.stderr
    assert snapshot(root) == before and not (root / "incidents" / incident_id).exists()
