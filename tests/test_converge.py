"""Team scale: ten clones writing 30 entries each with auto-sync, all at once, against one bare
remote, converge (the scenario of bench/converge.py, which also reports the time it takes).

No timed assertion: every clone and the remote hold all 300 entries, git fsck is clean, no
conflict marker anywhere, and no sync pushed two derived-page commits in a row.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from teamkit import assert_healthy

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def converge() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_converge", BENCH / "converge.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_converge"] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("bench_converge", None)


@pytest.mark.slow
def test_ten_clones_writing_at_once_converge(converge: ModuleType, tmp_path: Path) -> None:
    result = converge.run(tmp_path, clones=10, entries=30, env=dict(os.environ))
    print("\n".join(result.lines()))
    assert result.counts == {f"clone-{n:02d}": 300 for n in range(10)} | {"remote": 300}
    assert result.fsck == ""
    assert result.doubled == 0  # at most one derived-page commit per sync of a clone
    assert result.rebuilds >= 1
    for root in sorted(tmp_path.glob("clone-*")):
        assert_healthy(root)
        assert "<<<<<<<" not in "".join(p.read_text() for p in root.glob("incidents/*/status/*"))
