"""The benchmark cannot rot: its journal generator and a few of its measurements run end to end.

No timed assertion: only that the generated journal is one `ij` reads like its own, that each
measurement ran the real command (which left its trace) and that the report renders.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SRC, git, ij_subprocess

from incjournal import write as journal_mod
from incjournal.core.fold import fold
from incjournal.store.journal import Journal

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_run", None)
        sys.path.remove(str(BENCH))


def test_quick_journal_and_measurements(bench: ModuleType, tmp_path: Path) -> None:
    env = bench.bench_env(tmp_path / "work", SRC)
    sizes = bench.journal_specs(bench.QUICK)
    assert sum(sizes["files"]) >= bench.QUICK.files and len(sizes["incidents"]) == 200
    built = bench.gen.build_journal(tmp_path / "journal", [40, 3], env=env)
    assert built.entry_files == 43
    journal = Journal(built.root)
    first = built.incident_ids[0]
    state = journal_mod.load_state(journal, first)
    assert len(state.entries) == 40
    assert state == fold(journal.read_meta(first), journal.read_entries(first))
    assert ij_subprocess(built.root, "check").returncode == 0

    floor = bench.floor_case(tmp_path / "floor")
    (tmp_path / "floor").mkdir()
    note = bench.note_case(bench.ij_argv(), "ij note (tiny journal)", built.root, bench.FLOOR_LABEL)
    by_hand = bench.git_case("git add && git commit", built.root, note.label)
    bench.measure([floor, note, by_hand], runs=1, warmup=0, env=env)

    assert all(len(c.samples) == 1 and c.samples[0].rss > 0 for c in (floor, note, by_hand))
    assert len(list((tmp_path / "floor").glob("*.toml"))) == 1
    assert len(git(built.root, "log", "--format=%H").split()) == 1 + 1 + 1
    assert len(journal_mod.load_state(journal, first).entries) == 41
    cases = {c.label: c for c in (floor, note, by_hand)}
    report = bench.table(bench.Group("write", "Appending one note", list(cases.values())), cases)
    assert "x floor" in report and "ij note (tiny journal)" in report
    verdicts = {t.text: t.verdict for t in bench.targets(cases, bench.QUICK, None)}
    assert verdicts["ij note / framework floor"] in ("PASS", "FAIL")
    assert verdicts["ij note / jrnl append (tiny journals)"] == "SKIP"


def test_a_command_name_builds_only_that_command(journal_dir: Path) -> None:
    """`ij note --help` through main() (which builds one command) matches the full app's."""
    from typer.testing import CliRunner

    from incjournal.cli import app

    alone = ij_subprocess(journal_dir, "note", "--help")
    assert alone.returncode == 0
    full = CliRunner().invoke(app, ["note", "--help"], prog_name="ij")
    assert alone.stdout.split() == full.stdout.split()
    listing = ij_subprocess(journal_dir, "--help").stdout
    assert "note" in listing and "timeline" in listing
