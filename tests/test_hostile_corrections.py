"""Public renders honour corrections exactly as internal ones: a struck amendment no longer
applies, a struck strike brings its entry back, an amended amendment gives its latest text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Run, entry_id


def _public(run: Run, journal_dir: Path) -> tuple[str, str, str]:
    """The public brief, the written status/public.md and the timeline."""
    run("brief", "--for", "public", "--write")
    [status] = (journal_dir / "incidents").glob("*/status/public.md")
    return run("brief", "--for", "public").stdout, status.read_text(), run("timeline").stdout


@pytest.fixture
def said(run: Run, journal_dir: Path) -> str:
    run("open", "Checkout errors", "--sev", "2", "--id", "co")
    return entry_id(run("note", "Checkout is slow for some customers", "--public"))


def test_a_struck_public_amendment_is_no_longer_published(
    run: Run, journal_dir: Path, said: str
) -> None:
    amend = entry_id(run("amend", said, "All EU checkouts fail since 09:12", "--public"))
    assert all("All EU checkouts fail" in text for text in _public(run, journal_dir))
    run("strike", amend, "--why", "the amendment named the wrong region")
    for text in _public(run, journal_dir):
        assert "All EU checkouts fail" not in text
        assert "Checkout is slow for some customers" in text


def test_a_struck_strike_brings_the_statement_back(run: Run, journal_dir: Path, said: str) -> None:
    strike = entry_id(run("strike", said, "--why", "posted too early"))
    assert all("Checkout is slow" not in text for text in _public(run, journal_dir))
    run("strike", strike, "--why", "it was right after all")
    assert all("Checkout is slow for some customers" in text for text in _public(run, journal_dir))


def test_an_amended_amendment_gives_its_latest_text(run: Run, journal_dir: Path, said: str) -> None:
    amend = entry_id(run("amend", said, "Checkout fails in the EU", "--public"))
    run("amend", amend, "Checkout fails in the EU and the UK", "--public")
    for text in _public(run, journal_dir):
        assert "Checkout fails in the EU and the UK" in text
