"""A likely secret is refused in every field a person types, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, entry_id, snapshot

TOKEN = "ghp_" + "Zq8rT2mVx4Lp9Wn3Ks7Bd1Fh6Jc0Ye5Ua2Qg"  # a GitHub token's shape
AWS = "AKIA" + "QX7RT2MV4LP9WN3K"


@pytest.fixture
def ids(run: Run, incident: str) -> dict[str, str]:
    return {
        "action": entry_id(run("action", "rotate the pool password", "--owner", "carol")),
        "hypothesis": entry_id(run("hypothesis", "pool too small")),
    }


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (("note", "fine", "--by", f"Eve {AWS} <eve@example.com>"), "in --by"),
        (("note", "fine", "--tag", TOKEN), "in --tag"),
        (("action", "rotate it", "--owner", TOKEN), "in --owner"),
        (("decide", "roll back", "--why", f"token {TOKEN} leaked"), "in --why"),
        (("risk", "pool may saturate", "--likelihood", AWS), "in --likelihood"),
        (("role", "ic", AWS), "in the person's name"),
        (("mark", "started", "--by", f"Eve {TOKEN}"), "in --by"),
        (("note", f"curl with {TOKEN}"), "refused:"),
    ],
)
def test_a_secret_in_any_field_is_refused_and_nothing_is_written(
    run: Run, journal_dir: Path, ids: dict[str, str], args: tuple[str, ...], where: str
) -> None:
    before = snapshot(journal_dir)
    result = run(*args, code=None)
    assert result.exit_code != 0, result.stdout
    assert where in result.stderr and result.stderr.count("\n") == 1
    assert TOKEN not in result.stderr and AWS not in result.stderr
    assert snapshot(journal_dir) == before


def test_a_title_with_a_secret_opens_nothing(run: Run, journal_dir: Path) -> None:
    before = snapshot(journal_dir)
    result = run("open", f"Leak of {TOKEN}", "--id", "leak", code=None)
    assert result.exit_code != 0 and "refused" in result.stderr
    assert snapshot(journal_dir) == before and not (journal_dir / "incidents").exists()


def test_assign_and_confirm_are_scanned_too(run: Run, ids: dict[str, str]) -> None:
    assert "in --owner" in run("assign", ids["action"], "--owner", TOKEN, code=None).stderr
    assert "refused" in run("confirm", ids["hypothesis"][:4], f"it is {TOKEN}", code=None).stderr
