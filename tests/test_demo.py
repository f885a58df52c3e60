"""`ij demo`: a realistic incident written through the real write path, then every view printed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import AUTHOR, Run, git, snapshot
from typer.testing import CliRunner

from incjournal.cli import app
from incjournal.core.fold import IncidentState
from incjournal.demo.story import AUDIENCES, PEOPLE, STORY
from incjournal.store.journal import Journal
from incjournal.write import load_state


@dataclass(frozen=True)
class Demo:
    root: Path
    stdout: str
    state: IncidentState


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One `ij demo` (no DIR: a temp folder) per module, isolated like every test."""
    home = tmp_path_factory.mktemp("demo-home")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    temp = tmp_path_factory.mktemp("demo-tmp")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "HOME": str(home),
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "TZ": "UTC",
            "INCJOURNAL_AUTHOR": AUTHOR,
        }.items():
            mp.setenv(name, value)
        mp.setattr(tempfile, "tempdir", str(temp))
        result = CliRunner().invoke(app, ["demo"])
        assert result.exit_code == 0, result.output
        [root] = temp.iterdir()
        journal = Journal(root)
        yield Demo(root, result.stdout, load_state(journal, journal.current()))


def test_the_demo_prints_the_dashboard_briefs_and_what_to_try_next(demo: Demo) -> None:
    out = demo.stdout
    assert "==== The dashboard: ij show ====" in out
    assert "# Checkout errors in EU" in out
    assert f"Built {demo.root} in " in out
    assert f"cd {demo.root} && ij show" in out
    assert "ij timeline --kind decision" in out and 'ij search "pool"' in out
    for audience in AUDIENCES:
        assert f"==== Brief for {audience}: ij brief --for {audience} ====" in out
    assert f"Review draft: {demo.root}/incidents/" in out
    assert "\x1b[" not in out  # not a terminal: plain text


def test_every_entry_is_a_real_commit_by_its_author(demo: Demo) -> None:
    subjects = git(demo.root, "log", "--format=%s").splitlines()
    assert subjects[-1] == "journal: init"
    reviews = len(list(demo.root.glob("incidents/*/review.md")))
    assert len(subjects) == 1 + 1 + len(STORY) + reviews  # init, open, the story, review.md
    entries = list(demo.root.glob("incidents/*/entries/*.toml"))
    assert len(entries) == len(STORY) + 1
    authors = set(git(demo.root, "log", "--format=%an <%ae>").splitlines())
    assert authors == set(PEOPLE.values())
    assert git(demo.root, "status", "--porcelain") == ""


def test_the_journal_it_leaves_is_valid(demo: Demo) -> None:
    result = Run(demo.root)("check")
    assert result.stdout == "journal ok\n"


def test_the_story_covers_what_good_practice_looks_like(demo: Demo) -> None:
    state = demo.state
    assert state.status == "resolved" and state.severity == 1
    outcomes = sorted(item.outcome for item in state.hypotheses)
    assert outcomes == ["confirm", "rule-out", "rule-out"]
    assert [i.outcome for i in state.questions].count("answer") == 2
    assert len(state.open_items("questions")) == 1
    assert sorted(i.outcome for i in state.risks) == ["open", "retire"]
    assert all(d.why for d in state.decisions) and len(state.decisions) == 2
    assert [(c.previous, c.person) for c in state.role_history if c.role == "ic"] == [
        (None, "Priya"),
        ("Priya", "Dana"),
    ]
    assert any(i.entry.follow_up for i in state.actions)
    assert set(state.updates) == set(AUDIENCES)
    assert any(e.public for e in state.entries)


def test_times_read_like_a_morning_incident(demo: Demo) -> None:
    ms = demo.state.milestones
    assert ms.started and ms.detected and ms.mitigated and ms.resolved
    assert ms.started.strftime("%H:%M") == "09:52" and ms.detected.strftime("%H:%M") == "10:00"
    assert ms.ttm is not None and ms.ttm.total_seconds() == 46 * 60
    assert ms.started < ms.detected < ms.mitigated < ms.resolved


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    git(tmp_path, "init", "-q")
    before = snapshot(tmp_path)
    result = Run(tmp_path)("demo", str(tmp_path), code=2)
    assert result.stderr.startswith(f"ij: error: {tmp_path} exists and is not empty")
    assert snapshot(tmp_path) == before
