"""The benchmark cannot rot: its journal generator and a few of its measurements run end to end.

No timed assertion: only that the generated journal is one `ij` reads like its own, that each
measurement ran the real command (which left its trace) and that the report renders.
"""

from __future__ import annotations

import importlib.util
import os
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
    bench.measure([floor, note, by_hand], runs=1, warmup=0, env=env, rss_runs=2)

    assert all(len(c.samples) == 1 and len(c.rss) == 2 for c in (floor, note, by_hand))
    assert all(10 * bench.MIB < c.peak_rss < 100 * bench.MIB for c in (floor, note))
    runs = 1 + 2  # timed, then measured for RSS
    assert len(list((tmp_path / "floor").glob("*.toml"))) == runs
    assert len(git(built.root, "log", "--format=%H").split()) == 1 + runs + runs
    assert len(journal_mod.load_state(journal, first).entries) == 40 + runs
    cases = {c.label: c for c in (floor, note, by_hand)}
    report = bench.table(bench.Group("write", "Appending one note", list(cases.values())), cases)
    assert "x floor" in report and "ij note (tiny journal)" in report
    found = {t.text: t for t in bench.targets(cases, bench.QUICK, None)}
    against_floor = found["ij note / framework floor"]
    assert against_floor.value == pytest.approx(note.median / floor.median)
    assert against_floor.verdict == ("PASS" if against_floor.value <= 1.0 else "FAIL")
    assert found["ij note / jrnl append (tiny journals)"].verdict == "SKIP"


def test_a_target_passes_at_its_limit_and_fails_above_it(bench: ModuleType) -> None:
    verdicts = [bench.Target("t", value, 1.0, "x").verdict for value in (0.5, 1.0, 1.01, None)]
    assert verdicts == ["PASS", "PASS", "FAIL", "SKIP"]


def test_peak_rss_is_the_measured_process_own(bench: ModuleType, tmp_path: Path) -> None:
    """A child forked by a large process starts with that process's resident size as its peak;
    the bench reads each command's own (here: a small one and one that holds 120 MiB, while
    this process holds 200 MiB more than it did)."""
    ballast = bytearray(200 * bench.MIB)  # pages touched below: resident in this process
    for at in range(0, len(ballast), 4096):
        ballast[at] = 1
    small = bench.peak_rss([sys.executable, "-c", "pass"], tmp_path, dict(os.environ))
    held = "x = bytearray(120 * 2**20); x[::4096] = b'1' * len(x[::4096])"
    large = bench.peak_rss([sys.executable, "-c", held], tmp_path, dict(os.environ))
    assert small < 40 * bench.MIB
    assert 120 * bench.MIB < large < 200 * bench.MIB


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
